/**
 * Benchmark programs and JMH benchmarks of the engine's overheads (service calls, telemetry, lifecycle,
 * contention) and of cold-start amortisation; built by the test command, run by hand, reported as
 * ratios with the load average. They use the public API only.
 */
package dev.flowgentic4j.benchmarks;
