/**
 * Test helpers shared by the modules: the scripted OpenAI-compatible stub on 127.0.0.1
 * ({@link dev.flowgentic4j.testkit.OpenAiStub}), probes that wait for a condition without sleeping
 * ({@link dev.flowgentic4j.testkit.Probes}), threads that call a service without pause while a test
 * replaces it ({@link dev.flowgentic4j.testkit.CallLoad}), and the module boundary rule every
 * module's tests check ({@link dev.flowgentic4j.testkit.ModuleBoundaries}).
 */
package dev.flowgentic4j.testkit;
