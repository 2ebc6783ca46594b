/**
 * The engine's machinery, not part of the API: no other module may import it (an ArchUnit rule in every
 * module's tests checks that). It holds the lifecycle core of one service (the handle
 * {@code ManagedService}, its state machine {@code ServiceLifecycle}, cold starts, calls, the call gate,
 * stops, health checks and restarts, listener delivery), the retrying run of tasks ({@code RetryingRun}),
 * the embedded local backend ({@code LocalBackend}, reached through {@code Backend.local()}) and
 * {@code TelemetryAccess}, the engine's door to the telemetry members no user may call. Its classes are
 * public only because the API package must reach them.
 */
package dev.flowgentic4j.workflows.internal;
