package dev.flowgentic4j.ignite;

import java.util.UUID;

/**
 * Where one deployed instance runs: the Ignite node and its JVM's process id.
 *
 * @param nodeId the hosting node's id
 * @param pid the hosting JVM's process id
 */
public record ServiceHostInfo(UUID nodeId, long pid) {}
