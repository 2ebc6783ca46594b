/**
 * The engine's machinery, not part of the API: no other module may import it (an ArchUnit rule in every
 * module's tests checks that). The lifecycle core of one service lives in {@code internal.service} and
 * replica groups in {@code internal.replicas}; this package holds the retrying run of tasks
 * ({@code RetryingRun}), the embedded local backend ({@code LocalBackend}, reached through
 * {@code Backend.local()}), timer helpers, and {@code TelemetryAccess}, the engine's door to the
 * telemetry members no user may call. Its classes are public only because other packages of the engine
 * must reach them.
 */
package dev.flowgentic4j.workflows.internal;
