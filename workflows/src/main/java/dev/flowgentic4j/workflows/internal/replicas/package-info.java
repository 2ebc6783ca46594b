/**
 * Replica groups, not an API: {@code ReplicatedService} keeps n replicas of one service behind one
 * {@code ServiceFuture}, each an ordinary service instance started through the engine, and routes each
 * call without a lock to the replica with the fewest calls in flight; scaling and rolling updates change
 * the membership under the group's own lock.
 */
package dev.flowgentic4j.workflows.internal.replicas;
