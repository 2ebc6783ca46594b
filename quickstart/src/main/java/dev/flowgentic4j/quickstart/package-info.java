/**
 * The programs README runs first, which need only a JDK: {@code ServiceIntermittent} (the seed's
 * persistent-service demo: real HTTP servers as services, one cold start each, counters that persist) and {@code AgentWithServiceTools} (a ReAct
 * agent whose tools call live services), with the small services they use and {@code Backends}, which
 * picks the local or the Ignite backend from the command line.
 */
package dev.flowgentic4j.quickstart;
