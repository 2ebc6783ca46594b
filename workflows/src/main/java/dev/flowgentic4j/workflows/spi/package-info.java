/**
 * The small, documented service-provider interface that the other modules (tools, integration, mcp,
 * ignite, benchmarks) and third-party extensions may use besides the API: argument checks with
 * messages that name the argument ({@link dev.flowgentic4j.workflows.spi.Checks}), future and exception
 * helpers ({@link dev.flowgentic4j.workflows.spi.Futures}) and the seam to Java 21's virtual threads for
 * code built for Java 17 ({@link dev.flowgentic4j.workflows.spi.VirtualThreads}). Everything here is
 * stateless and thread-safe; it depends on nothing else of flowgentic4j.
 */
package dev.flowgentic4j.workflows.spi;
