/**
 * The distributed backend on Apache Ignite 2.x: {@link dev.flowgentic4j.ignite.IgniteBackend} runs the
 * engine's work on an embedded Ignite node and deploys services as cluster singletons on Ignite's
 * Service Grid ({@link dev.flowgentic4j.ignite.IgniteService}), handing out typed proxies that fail over
 * to a surviving node; {@link dev.flowgentic4j.ignite.IgniteBackendProvider} makes it selectable by the
 * name {@code ignite}. Uses only Ignite's public API and the engine's API and SPI.
 */
package dev.flowgentic4j.ignite;
