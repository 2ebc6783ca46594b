/**
 * The machinery of one service handle, not an API: {@code ManagedService} is the
 * {@code ServiceFuture} users hold and wires the rest; {@code ServiceLifecycle} is the one state
 * machine (an immutable snapshot published through a volatile field, every transition under the
 * service's own lock, futures completed and waiters woken before listeners hear of it);
 * {@code StopProcedure} stops within the stop deadline, {@code RestartSupervisor} and
 * {@code HealthMonitor} supervise, {@code ServiceCalls} and {@code CallGate} wait for and admit
 * calls, {@code ServiceListeners} delivers listener events and {@code ColdStart} tracks one start.
 * The backend, retries and small helpers stay in {@code dev.flowgentic4j.workflows.internal}.
 */
package dev.flowgentic4j.workflows.internal.service;
