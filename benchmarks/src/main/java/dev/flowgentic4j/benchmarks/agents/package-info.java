/**
 * The agent scale benchmark: many ReAct agents calling service tools against a scripted chat model,
 * measuring the engine's overhead and efficiency as the parallelism grows, with its report.
 */
package dev.flowgentic4j.benchmarks.agents;
