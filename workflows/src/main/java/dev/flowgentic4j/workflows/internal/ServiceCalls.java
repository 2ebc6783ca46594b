package dev.flowgentic4j.workflows.internal;

import dev.flowgentic4j.workflows.Checks;
import dev.flowgentic4j.workflows.FlowgenticException;
import dev.flowgentic4j.workflows.ServiceCall;
import dev.flowgentic4j.workflows.ServiceFailedException;
import dev.flowgentic4j.workflows.ServiceState;
import dev.flowgentic4j.workflows.ServiceUnavailableException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;

/**
 * The caller's side of one service handle: waiting for RUNNING ({@code join}, {@code get},
 * {@code awaitRunning}) and calling into the live instance through the {@link CallGate}, with the
 * call counters. Thread-safe.
 *
 * <p>A call enters the gate and only then reads {@code state} and {@code instance} (both volatile);
 * a stop or restart writes {@code state} and only then waits for the gate to drain. So either the
 * call sees the change and leaves, or the stop waits for the call.
 */
final class ServiceCalls<S> {
    private final ManagedService<?, S> service;
    private final LongAdder calls = new LongAdder();
    private final LongAdder failedCalls = new LongAdder();

    ServiceCalls(ManagedService<?, S> service) {
        this.service = service;
    }

    private S await(long timeoutNanos) throws TimeoutException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            CompletableFuture<S> current;
            synchronized (service.lock) {
                ServiceState state = service.state;
                if (state == ServiceState.RUNNING) {
                    return service.instance;
                }
                if (service.stopRequested || state == ServiceState.STOPPING || state == ServiceState.TERMINATED) {
                    throw new CancellationException("service '" + service.id + "' was "
                            + (service.cancelled ? "cancelled" : "stopped") + " (state " + state + ")");
                }
                if (state == ServiceState.FAILED) {
                    Throwable failure = service.failure;
                    throw failure instanceof ServiceFailedException
                            ? (ServiceFailedException) failure
                            : new ServiceFailedException(service.id, "failed", failure);
                }
                current = service.ready;
            }
            try {
                if (timeoutNanos < 0) {
                    current.get();
                } else {
                    current.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ServiceUnavailableException(service.id, service.state(), "interrupted while waiting", e);
            } catch (TimeoutException e) {
                throw new TimeoutException("service '" + service.id + "' is " + service.state() + " after waiting "
                        + Duration.ofNanos(timeoutNanos) + ", expected RUNNING");
            } catch (ExecutionException | CancellationException e) {
                // the state tells what happened: loop
            }
        }
    }

    /** {@link ManagedService#join()}. */
    S join() {
        try {
            return await(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // cannot happen without a timeout
        }
    }

    /** {@link ManagedService#awaitRunning(Duration)}. */
    S awaitRunning(Duration timeout) throws TimeoutException {
        return await(Checks.requirePositive(timeout, "timeout").toNanos());
    }

    /** {@link ManagedService#get()}. */
    S get() throws InterruptedException, ExecutionException {
        try {
            return getChecked(-1);
        } catch (TimeoutException e) {
            throw new IllegalStateException(e); // cannot happen without a timeout
        }
    }

    /** {@link ManagedService#get(long, TimeUnit)}. */
    S get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        Objects.requireNonNull(unit, "unit");
        if (timeout <= 0) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout + " " + unit);
        }
        return getChecked(unit.toNanos(timeout));
    }

    /** {@link #await} with {@link java.util.concurrent.Future}'s checked exceptions. */
    private S getChecked(long timeoutNanos) throws InterruptedException, ExecutionException, TimeoutException {
        try {
            return await(timeoutNanos);
        } catch (ServiceFailedException e) {
            throw new ExecutionException(e.getMessage(), e);
        } catch (ServiceUnavailableException e) {
            if (Thread.interrupted()) {
                throw new InterruptedException(e.getMessage());
            }
            throw e;
        }
    }

    /** {@link ManagedService#call(Duration, ServiceCall)}. */
    <R> R call(Duration readyTimeout, ServiceCall<? super S, R> call) {
        Checks.requirePositive(readyTimeout, "timeout");
        Objects.requireNonNull(call, "call");
        long deadline = System.nanoTime() + readyTimeout.toNanos();
        CallGate gate = service.gate;
        gate.acquireSlot();
        try {
            S live;
            while (true) {
                live = awaitForCall(deadline, readyTimeout);
                gate.enter();
                if (service.state == ServiceState.RUNNING && service.instance == live) {
                    break; // a stop or restart that begins now waits for this call
                }
                gate.exit();
            }
            calls.increment();
            try {
                return call.apply(live);
            } catch (RuntimeException | Error e) {
                failedCalls.increment();
                throw e;
            } catch (Exception e) {
                failedCalls.increment();
                throw new FlowgenticException("call to service '" + service.id + "' failed: " + e, e);
            } finally {
                gate.exit();
            }
        } finally {
            gate.releaseSlot();
        }
    }

    private S awaitForCall(long deadline, Duration readyTimeout) {
        try {
            return await(Math.max(1, deadline - System.nanoTime()));
        } catch (TimeoutException e) {
            throw new ServiceUnavailableException(service.id, service.state(), "not RUNNING within " + readyTimeout, e);
        } catch (CancellationException e) {
            throw new ServiceUnavailableException(service.id, service.state(), "the service was stopped", e);
        } catch (ServiceFailedException e) {
            throw new ServiceUnavailableException(service.id, service.state(), e.getMessage(), e);
        }
    }

    long callCount() {
        return calls.sum();
    }

    long failedCallCount() {
        return failedCalls.sum();
    }
}
