package dev.flowgentic4j.patterns.websocket;

import java.io.IOException;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import dev.flowgentic4j.patterns.websocket.internal.ConnectionListener;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.component.LifeCycle;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.api.exceptions.BadPayloadException;
import org.eclipse.jetty.websocket.api.exceptions.MessageTooLargeException;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WebSocket-connection service: one persistent client connection to a server URL (Jetty 12's
 * WebSocket client, on threads of its own), opened with the settings' headers, and kept open.
 *
 * <ul>
 *   <li><b>Calls.</b> {@link #send} a text message; {@link #request} one and wait for the reply
 *   that carries the same correlation id; {@link #subscription} hands out the bounded buffer of a
 *   declared subscription to a graph node or an agent tool.</li>
 *   <li><b>Supervision.</b> A ping every {@code pingInterval}; a pong missing after
 *   {@code pongTimeout}, a close from the server or a lost socket ends the connection, and a new one
 *   (the next <em>generation</em>) is opened after the settings' backoff, until it succeeds or the
 *   service stops. Each new connection first sends the subscriptions' subscribe messages, then the
 *   messages that waited for it. A send waits for an open connection within its own timeout, then
 *   fails with {@link WebSocketException.Unavailable}; a request sent on a connection that is lost
 *   before its reply fails at once (the server will not answer it on the next one).</li>
 *   <li><b>Bad input.</b> An inbound message over {@code maxMessageSize} closes the connection with
 *   1009, a text message that is not UTF-8 with 1007 (both counted, then reconnected); binary frames
 *   are dropped or close with 1003 as configured; a handshake not completed within
 *   {@code connectTimeout} fails the attempt; a flood fills only the subscriptions' bounded buffers.</li>
 *   <li><b>Stop.</b> {@link #close()} sends a close frame (1000) and waits up to {@code closeTimeout}
 *   for the server's, aborts the connection if none comes, then stops every thread it started.</li>
 * </ul>
 *
 * <p>Thread-safe. Futures returned by the asynchronous calls complete on the connection's threads:
 * attach only quick continuations, or use the {@code ...Async} variants with an executor of yours.
 *
 * <pre>{@code
 * try (WebSocketService feed = WebSocketService.connect(settings)) {
 *     String reply = feed.request("{\"op\":\"quote\",\"symbol\":\"ACME\"}", Duration.ofSeconds(2));
 *     Optional<String> tick = feed.subscription("prices").poll(Duration.ofSeconds(1));
 * }
 * }</pre>
 */
public final class WebSocketService implements AutoCloseable {
    /** The connection's state. */
    public enum ConnectionState { CONNECTED, RECONNECTING, CLOSED }

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketService.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();
    private static final int MAX_REASON = 123;

    private final WebSocketSettings settings;
    private final String label;
    private final String threadPrefix;
    private final QueuedThreadPool threads;
    private final ScheduledExecutorScheduler jettyScheduler;
    private final HttpClient http;
    private final WebSocketClient client;
    private final ScheduledThreadPoolExecutor timer;
    private final CopyOnWriteArrayList<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private final ConcurrentHashMap<String, Pending> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, PingWait> pings = new ConcurrentHashMap<>();
    private final AtomicLong requestIds = new AtomicLong();
    private final AtomicLong pingIds = new AtomicLong();
    private final AtomicInteger heldReaders = new AtomicInteger();
    private final CompletableFuture<Void> stopped = new CompletableFuture<>();

    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong disconnects = new AtomicLong();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong sendFailures = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong replies = new AtomicLong();
    private final AtomicLong noReply = new AtomicLong();
    private final AtomicLong repliesLost = new AtomicLong();
    private final AtomicLong unrouted = new AtomicLong();
    private final AtomicLong filterErrors = new AtomicLong();
    private final AtomicLong pingsSent = new AtomicLong();
    private final AtomicLong pongs = new AtomicLong();
    private final AtomicLong missedPongs = new AtomicLong();
    private final AtomicLong binaryDropped = new AtomicLong();
    private final AtomicLong oversized = new AtomicLong();
    private final AtomicLong badPayload = new AtomicLong();
    private volatile long lastRoundTripNanos = -1;
    private volatile String closeOutcome = "";

    /** Guards the connection's transitions; never held while user code or a blocking wait runs. */
    private final Object lock = new Object();
    // guarded by lock
    private Generation current;
    private CompletableFuture<Generation> opened = new CompletableFuture<>();
    private boolean closing;
    private int attempt;
    private long generations;
    private long connects;
    private Future<?> reconnectTask;
    private Future<?> pingTask;
    private String lastDisconnect;
    private String lastAttemptFailure;
    private long disconnectedAtNanos;

    private WebSocketService(WebSocketSettings settings) throws Exception {
        this.settings = settings;
        this.label = "websocket '" + settings.name() + "' (" + settings.displayUri() + ")";
        this.threadPrefix = "ws-" + settings.name() + "-" + INSTANCES.incrementAndGet() + "-";
        threads = new QueuedThreadPool(settings.threads(), 2, 60_000);
        threads.setName(threadPrefix + "jetty");
        threads.setDaemon(true);
        threads.setReservedThreads(0);
        threads.setStopTimeout(1000);
        jettyScheduler = new ScheduledExecutorScheduler(threadPrefix + "scheduler", true);
        http = new HttpClient();
        http.setExecutor(threads);
        http.setScheduler(jettyScheduler);
        http.setConnectTimeout(settings.connectTimeout().toMillis());
        http.setName(threadPrefix + "http");
        client = new WebSocketClient(http);
        client.setStopAtShutdown(false);
        client.setStopTimeout(1000);
        client.setMaxTextMessageSize(settings.maxMessageSize());
        client.setMaxBinaryMessageSize(settings.maxMessageSize());
        client.setMaxFrameSize(settings.maxMessageSize());
        client.setAutoFragment(false);
        client.setIdleTimeout(settings.pingInterval().multipliedBy(3).plus(settings.pongTimeout())
                .plus(Duration.ofSeconds(10)));
        timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadPrefix + "timer");
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        for (SubscriptionSpec spec : settings.subscriptions()) {
            subscriptions.add(new Subscription(spec));
        }
        try {
            client.start();
        } catch (Exception e) {
            stopComponents();
            throw e;
        }
    }

    /**
     * Opens the connection and waits for the opening handshake (within the settings'
     * {@code connectTimeout}); returns once it is open, with the declared subscriptions' subscribe
     * messages sent and supervision started.
     *
     * @throws WebSocketException naming the URL and why (refused, handshake status, timeout), after
     *     releasing every thread and socket it had opened
     * @throws NullPointerException if {@code settings} is null
     */
    public static WebSocketService connect(WebSocketSettings settings) {
        Objects.requireNonNull(settings, "settings");
        WebSocketService service;
        try {
            service = new WebSocketService(settings);
        } catch (Exception e) {
            throw new WebSocketException("websocket '" + settings.name() + "' could not start its client: " + e, e);
        }
        try {
            Generation first = service.openConnection()
                    .get(settings.connectTimeout().plusSeconds(2).toMillis(), TimeUnit.MILLISECONDS);
            if (!service.publish(first)) {
                throw new WebSocketException(service.label + " closed right after it opened: "
                        + Optional.ofNullable(first.endReason).orElse("unknown reason"));
            }
            service.startSupervision();
            LOG.info("{} connected (generation 1)", service.label);
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            service.close();
            throw new WebSocketException(service.label + ": interrupted while connecting", e);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            service.close();
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            if (cause instanceof WebSocketException wse) {
                throw wse;
            }
            String why = e instanceof TimeoutException
                    ? "handshake not completed within " + settings.connectTimeout().plusSeconds(2)
                    : service.describeConnectFailure(cause);
            throw new WebSocketException(service.label + " could not connect: " + why, cause);
        }
    }

    // ------------------------------------------------------------------ calls

    /**
     * Sends {@code text}, waiting up to {@code timeout} for an open connection and for the message
     * to be written. At most once: a message written just before the connection is lost may not
     * arrive.
     *
     * @throws WebSocketException.Unavailable if no connection opened in time, or the service stopped
     * @throws WebSocketException if the write failed
     * @throws IllegalArgumentException if the message is larger than {@code maxMessageSize} or the timeout not positive
     */
    public void send(String text, Duration timeout) {
        await(sendAsync(text, timeout), "sending");
    }

    /** {@link #send} without blocking; the future fails with the exceptions {@code send} throws. */
    public CompletableFuture<Void> sendAsync(String text, Duration timeout) {
        checkOutbound(text, timeout);
        return sendWhenOpen(text, timeout, gen -> { });
    }

    /**
     * Sends {@code payload} (a JSON object, with the default correlation) under a new correlation id
     * and returns the reply that carries the same id, waiting up to {@code timeout} in all (for a
     * connection, the write and the reply). A reply that comes later is treated as an ordinary
     * inbound message.
     *
     * @throws WebSocketException.NoReply if no reply came in time
     * @throws WebSocketException.Unavailable if no connection opened in time, or the service stopped
     * @throws WebSocketException if the connection was lost before the reply, the write failed, or
     *     {@code maxPendingRequests} requests already await replies
     * @throws IllegalArgumentException if the correlation cannot attach an id to {@code payload}
     */
    public String request(String payload, Duration timeout) {
        return await(requestAsync(payload, timeout), "awaiting a reply");
    }

    /** {@link #request} without blocking; the future fails with the exceptions {@code request} throws. */
    public CompletableFuture<String> requestAsync(String payload, Duration timeout) {
        Objects.requireNonNull(payload, "payload");
        requirePositive(timeout);
        if (pending.size() >= settings.maxPendingRequests()) {
            return CompletableFuture.failedFuture(new WebSocketException(label + " has " + pending.size()
                    + " requests awaiting replies (maxPendingRequests " + settings.maxPendingRequests() + ")"));
        }
        String id = settings.name() + "-" + requestIds.incrementAndGet();
        String message = settings.correlation().attach(id, payload);
        checkOutbound(message, timeout);
        CompletableFuture<String> reply = new CompletableFuture<>();
        Pending request = new Pending(id, reply);
        pending.put(id, request);
        ScheduledFuture<?> expiry = schedule(() -> {
            if (pending.remove(id, request)) {
                noReply.incrementAndGet();
                reply.completeExceptionally(request.sentOn == null
                        ? new WebSocketException.Unavailable(label + " is " + describeState()
                                + "; request '" + id + "' was not sent within " + timeout)
                        : new WebSocketException.NoReply("no reply to request '" + id + "' from " + label
                                + " within " + timeout));
            }
        }, timeout);
        reply.whenComplete((r, e) -> expiry.cancel(false));
        sendWhenOpen(message, timeout, gen -> request.sentOn = gen).whenComplete((v, e) -> {
            if (e != null && pending.remove(id, request)) {
                reply.completeExceptionally(unwrap(e));
            }
        });
        return reply;
    }

    /**
     * The subscription declared as {@code name} (in the settings or with {@link #subscribe}).
     *
     * @throws IllegalArgumentException if there is none, naming those there are
     */
    public Subscription subscription(String name) {
        for (Subscription s : subscriptions) {
            if (s.name().equals(name)) {
                return s;
            }
        }
        throw new IllegalArgumentException("no subscription '" + name + "' on " + label + "; there are "
                + subscriptions.stream().map(Subscription::name).toList());
    }

    /**
     * Declares a subscription now: its subscribe message is sent on the open connection, if there
     * is one, and on every new one.
     *
     * @throws IllegalArgumentException if a subscription of that name exists
     * @throws IllegalStateException if the service is stopping or stopped
     */
    public Subscription subscribe(SubscriptionSpec spec) {
        Objects.requireNonNull(spec, "spec");
        Subscription subscription = new Subscription(spec);
        synchronized (lock) {
            if (closing) {
                throw new IllegalStateException(label + " is stopped, cannot subscribe '" + spec.name() + "'");
            }
            if (subscriptions.stream().anyMatch(s -> s.name().equals(spec.name()))) {
                throw new IllegalArgumentException("subscription '" + spec.name() + "' already exists on " + label);
            }
            subscriptions.add(subscription);
            Generation gen = current;
            if (gen != null) {
                spec.onConnect().ifPresent(m -> sendRaw(gen, m));
            }
        }
        return subscription;
    }

    /** Removes the subscription {@code name} (if any) and closes its buffer; it is not restored any more. */
    public boolean unsubscribe(String name) {
        for (Subscription s : subscriptions) {
            if (s.name().equals(name) && subscriptions.remove(s)) {
                s.close();
                return true;
            }
        }
        return false;
    }

    /**
     * Pings the server and waits up to {@code timeout} for the pong; returns the round trip.
     *
     * @throws WebSocketException.Unavailable if there is no open connection
     * @throws WebSocketException.NoReply if no pong came in time
     */
    public Duration ping(Duration timeout) {
        requirePositive(timeout);
        Generation gen = currentOrThrow();
        PingWait wait = sendPing(gen);
        try {
            return wait.pong.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            pings.remove(wait.id);
            throw new WebSocketException.NoReply("no pong from " + label + " within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebSocketException(label + ": interrupted while waiting for a pong", e);
        } catch (ExecutionException e) {
            throw asWebSocketException(e.getCause());
        }
    }

    /**
     * The service's health check: returns if the connection is open and answers a ping within the
     * settings' {@code pongTimeout} (or its reader is held by a full {@link OverflowPolicy#BLOCK}
     * subscription, which delays the pong); throws otherwise, saying why.
     *
     * @throws WebSocketException.Unavailable if reconnecting or stopped
     * @throws WebSocketException.NoReply if the pong did not come in time
     */
    public void checkHealth() {
        currentOrThrow();
        if (heldReaders.get() > 0) {
            return;
        }
        ping(settings.pongTimeout());
    }

    /** The connection's state now. */
    public ConnectionState state() {
        synchronized (lock) {
            return stateLocked();
        }
    }

    /** The current connection's number (1 for the first); during a reconnect, the last one's. */
    public long generation() {
        synchronized (lock) {
            return generations;
        }
    }

    /** A snapshot of the counters. */
    public WebSocketStats stats() {
        ConnectionState state;
        long generation;
        long connected;
        String last;
        synchronized (lock) {
            state = stateLocked();
            generation = generations;
            connected = connects;
            last = lastDisconnect;
        }
        long rtt = lastRoundTripNanos;
        return new WebSocketStats(state, generation, connected, connectFailures.get(), disconnects.get(), sent.get(),
                sendFailures.get(), received.get(), replies.get(), noReply.get(), repliesLost.get(), unrouted.get(),
                filterErrors.get(), pingsSent.get(), pongs.get(), missedPongs.get(), binaryDropped.get(),
                oversized.get(), badPayload.get(), rtt < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(rtt)),
                Optional.ofNullable(last), subscriptions.stream().map(Subscription::stats).toList());
    }

    public WebSocketSettings settings() {
        return settings;
    }

    /**
     * The prefix of the name of every thread this instance started ({@code ws-NAME-N-}), so a
     * check can see that none is left after {@link #close()}.
     */
    public String threadNamePrefix() {
        return threadPrefix;
    }

    /** How the last stop's close handshake went (empty before a stop). */
    public String closeOutcome() {
        return closeOutcome;
    }

    // ------------------------------------------------------------------ stop

    /**
     * Stops: no new calls; waiting sends and requests fail with {@link WebSocketException.Unavailable};
     * the subscriptions' buffers close (what they hold can still be taken); a close frame (1000) is
     * sent and the server's awaited up to {@code closeTimeout}, after which the connection is aborted;
     * then every thread of this instance ends. Idempotent; a second caller waits for the first.
     */
    @Override
    public void close() {
        Generation gen;
        CompletableFuture<Generation> waiting;
        synchronized (lock) {
            if (closing) {
                gen = null;
                waiting = null;
            } else {
                closing = true;
                gen = current;
                current = null;
                waiting = opened;
                if (reconnectTask != null) {
                    reconnectTask.cancel(false);
                }
                if (pingTask != null) {
                    pingTask.cancel(false);
                }
            }
        }
        if (waiting == null) {
            try {
                stopped.get(settings.closeTimeout().plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.warn("{}: waiting for another caller's stop: {}", label, e.toString());
            }
            return;
        }
        try {
            WebSocketException.Unavailable stopping = new WebSocketException.Unavailable(label + " is stopped");
            waiting.completeExceptionally(stopping);
            failAll(pending.values(), p -> p.reply.completeExceptionally(stopping));
            pending.clear();
            failAll(pings.values(), p -> p.pong.completeExceptionally(stopping));
            pings.clear();
            subscriptions.forEach(Subscription::close);
            if (gen != null) {
                closeHandshake(gen);
            } else {
                closeOutcome = "no connection was open";
            }
        } finally {
            stopComponents();
            stopped.complete(null);
        }
    }

    private void closeHandshake(Generation gen) {
        gen.ended.set(true);
        try {
            gen.session.close(StatusCode.NORMAL, "service stopping", Callback.NOOP);
            int code = gen.closeCode.get(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            closeOutcome = "closed with 1000, the server answered " + code;
            LOG.info("{} stopped: {}", label, closeOutcome);
        } catch (TimeoutException e) {
            closeOutcome = "no close frame from the server within " + settings.closeTimeout() + "; connection aborted";
            LOG.warn("{} stopped: {}", label, closeOutcome);
            disconnect(gen);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeOutcome = "interrupted while waiting for the server's close frame; connection aborted";
            disconnect(gen);
        } catch (ExecutionException | RuntimeException e) {
            closeOutcome = "close failed (" + e + "); connection aborted";
            disconnect(gen);
        }
    }

    private void stopComponents() {
        for (LifeCycle component : new LifeCycle[] {client, http, threads, jettyScheduler}) {
            if (component == null) {
                continue;
            }
            try {
                component.stop();
            } catch (Exception e) {
                LOG.warn("{}: stopping {} failed: {}", label, component.getClass().getSimpleName(), e.toString());
            }
        }
        if (timer != null) {
            timer.shutdownNow();
            try {
                if (!timer.awaitTermination(2, TimeUnit.SECONDS)) {
                    LOG.warn("{}: its timer thread did not end within 2 s", label);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ------------------------------------------------------------------ connections

    private CompletableFuture<Generation> openConnection() {
        Generation gen = new Generation();
        ClientUpgradeRequest request = new ClientUpgradeRequest(settings.uri());
        settings.headers().forEach(request::setHeader);
        request.setTimeout(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Session> connecting;
        try {
            connecting = client.connect(gen.listener, request);
        } catch (IOException | RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return connecting.thenApply(session -> {
            gen.session = session;
            return gen;
        });
    }

    /** Makes {@code gen} the current connection after sending the subscribe messages; false if it is already over. */
    private boolean publish(Generation gen) {
        CompletableFuture<Generation> toComplete;
        synchronized (lock) {
            if (closing) {
                disconnect(gen);
                return false;
            }
            if (gen.ended.get()) {
                if (generations > 0) {
                    scheduleReconnectLocked("closed right after it opened: " + gen.endReason);
                }
                return false;
            }
            gen.number = ++generations;
            connects++;
            for (Subscription s : subscriptions) {
                s.spec().onConnect().ifPresent(m -> {
                    sendRaw(gen, m);
                    if (gen.number > 1) {
                        s.countRestored();
                    }
                });
            }
            current = gen;
            attempt = 0;
            lastAttemptFailure = null;
            toComplete = opened;
        }
        toComplete.complete(gen);
        return true;
    }

    private void startSupervision() {
        long interval = settings.pingInterval().toNanos();
        synchronized (lock) {
            if (!closing) {
                pingTask = timer.scheduleWithFixedDelay(this::pingTick, interval, interval, TimeUnit.NANOSECONDS);
            }
        }
    }

    private void ended(Generation gen, String reason) {
        if (!gen.ended.compareAndSet(false, true)) {
            return;
        }
        if (gen.endReason == null) {
            gen.endReason = reason;
        }
        boolean reconnect;
        long number;
        synchronized (lock) {
            boolean wasCurrent = current == gen;
            number = gen.number;
            reconnect = wasCurrent && !closing;
            if (wasCurrent) {
                current = null;
                opened = new CompletableFuture<>();
                disconnects.incrementAndGet();
                lastDisconnect = "generation " + number + ": " + gen.endReason;
                disconnectedAtNanos = System.nanoTime();
                if (reconnect) {
                    scheduleReconnectLocked(null);
                }
            }
        }
        WebSocketException lost = new WebSocketException("connection generation " + number + " of " + label
                + " was lost before the reply: " + gen.endReason);
        for (Pending p : pending.values()) {
            if (p.sentOn == gen && pending.remove(p.id, p)) {
                repliesLost.incrementAndGet();
                p.reply.completeExceptionally(lost);
            }
        }
        for (PingWait w : pings.values()) {
            if (w.gen == gen && pings.remove(w.id, w)) {
                w.pong.completeExceptionally(lost);
            }
        }
        if (reconnect) {
            LOG.warn("{} lost connection generation {}: {}; reconnecting", label, number, gen.endReason);
        }
    }

    private void scheduleReconnectLocked(String failure) {
        if (failure != null) {
            lastAttemptFailure = failure;
        }
        attempt++;
        Duration delay = settings.backoff().delay(attempt);
        try {
            reconnectTask = timer.schedule(this::reconnect, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            LOG.debug("{}: reconnect not scheduled: {}", label, e.toString());
        }
    }

    private void reconnect() {
        synchronized (lock) {
            if (closing) {
                return;
            }
        }
        openConnection().whenComplete((gen, error) -> {
            if (error == null) {
                if (publish(gen)) {
                    LOG.info("{} reconnected: generation {}", label, gen.number);
                }
                return;
            }
            connectFailures.incrementAndGet();
            String why = describeConnectFailure(unwrap(error));
            synchronized (lock) {
                if (!closing) {
                    scheduleReconnectLocked(why);
                }
            }
            LOG.debug("{}: reconnect attempt failed: {}", label, why);
        });
    }

    private void abort(Generation gen, String reason) {
        gen.endReason = reason;
        ended(gen, reason);
        disconnect(gen);
    }

    private static void disconnect(Generation gen) {
        Session session = gen.session;
        if (session != null) {
            try {
                session.disconnect();
            } catch (RuntimeException ignored) {
                // already closed
            }
        }
    }

    // ------------------------------------------------------------------ sending

    private CompletableFuture<Void> sendWhenOpen(String text, Duration timeout, Consumer<Generation> beforeSend) {
        CompletableFuture<Generation> open;
        synchronized (lock) {
            if (closing) {
                return CompletableFuture.failedFuture(new WebSocketException.Unavailable(label + " is stopped"));
            }
            open = opened;
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        ScheduledFuture<?> deadline = schedule(() -> {
            if (!result.isDone()) {
                sendFailures.incrementAndGet();
                result.completeExceptionally(open.isDone()
                        ? new WebSocketException(label + ": message not written within " + timeout)
                        : new WebSocketException.Unavailable(label + " is " + describeState()
                                + "; the message was not sent within " + timeout));
            }
        }, timeout);
        result.whenComplete((v, e) -> deadline.cancel(false));
        open.whenComplete((gen, error) -> {
            if (error != null) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            if (result.isDone()) {
                return;
            }
            beforeSend.accept(gen);
            sendRaw(gen, text).whenComplete((v, e) -> {
                if (e == null) {
                    result.complete(null);
                } else {
                    result.completeExceptionally(new WebSocketException("sending on connection generation " + gen.number
                            + " of " + label + " failed: " + scrub(String.valueOf(unwrap(e)))
                            + "; the message may not have arrived", unwrap(e)));
                }
            });
        });
        return result;
    }

    private CompletableFuture<Void> sendRaw(Generation gen, String text) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            gen.session.sendText(text, Callback.from(() -> {
                sent.incrementAndGet();
                done.complete(null);
            }, failure -> {
                sendFailures.incrementAndGet();
                done.completeExceptionally(failure);
            }));
        } catch (RuntimeException e) {
            sendFailures.incrementAndGet();
            done.completeExceptionally(e);
        }
        return done;
    }

    private void checkOutbound(String text, Duration timeout) {
        Objects.requireNonNull(text, "text");
        requirePositive(timeout);
        // a UTF-8 character is at most 3 bytes per UTF-16 unit: count exactly only when it may matter
        if ((long) text.length() * 3 > settings.maxMessageSize()
                && text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > settings.maxMessageSize()) {
            throw new IllegalArgumentException("message of " + text.length() + " characters is larger than maxMessageSize ("
                    + settings.maxMessageSize() + " bytes) of " + label);
        }
    }

    // ------------------------------------------------------------------ ping / pong

    private void pingTick() {
        Generation gen;
        synchronized (lock) {
            gen = current;
        }
        if (gen == null) {
            return;
        }
        PingWait wait = sendPing(gen);
        schedule(() -> {
            if (wait.pong.isDone() || !pings.remove(wait.id, wait)) {
                return;
            }
            if (heldReaders.get() > 0) {
                wait.pong.cancel(false);   // the pong is queued behind a message a BLOCK subscription holds
                return;
            }
            missedPongs.incrementAndGet();
            wait.pong.completeExceptionally(new WebSocketException.NoReply("no pong within " + settings.pongTimeout()));
            abort(gen, "no pong within " + settings.pongTimeout() + "; connection treated as lost and aborted");
        }, settings.pongTimeout());
    }

    private PingWait sendPing(Generation gen) {
        long id = pingIds.incrementAndGet();
        PingWait wait = new PingWait(id, gen, System.nanoTime());
        pings.put(id, wait);
        ByteBuffer payload = ByteBuffer.allocate(Long.BYTES).putLong(0, id);
        try {
            gen.session.sendPing(payload, Callback.from(pingsSent::incrementAndGet, failure -> {
                if (pings.remove(id, wait)) {
                    wait.pong.completeExceptionally(new WebSocketException(label + ": ping not sent: " + failure));
                }
            }));
        } catch (RuntimeException e) {
            pings.remove(id, wait);
            wait.pong.completeExceptionally(new WebSocketException(label + ": ping not sent: " + e));
        }
        return wait;
    }

    // ------------------------------------------------------------------ inbound

    private void onText(Generation gen, String text) {
        received.incrementAndGet();
        if (!pending.isEmpty()) {
            Optional<String> id;
            try {
                id = settings.correlation().idOf(text);
            } catch (RuntimeException e) {
                id = Optional.empty();
            }
            if (id.isPresent()) {
                Pending request = pending.remove(id.get());
                if (request != null) {
                    replies.incrementAndGet();
                    request.reply.complete(text);
                    return;
                }
            }
        }
        boolean taken = false;
        for (Subscription s : subscriptions) {
            boolean match;
            try {
                match = s.spec().filter().test(text);
            } catch (RuntimeException e) {
                if (filterErrors.incrementAndGet() == 1) {
                    LOG.warn("{}: the filter of subscription '{}' threw {}", label, s.name(), e.toString());
                }
                continue;
            }
            if (match) {
                taken = true;
                s.offer(text, heldReaders::incrementAndGet, heldReaders::decrementAndGet);
            }
        }
        if (!taken) {
            unrouted.incrementAndGet();
        }
    }

    private void onBinary(Generation gen, int length) {
        binaryDropped.incrementAndGet();
        if (settings.binaryFrames() == WebSocketSettings.BinaryFrames.CLOSE) {
            gen.endReason = "the server sent a binary message (" + length + " bytes), which this service does not accept: closed with 1003";
            try {
                gen.session.close(StatusCode.BAD_DATA, "binary messages not accepted", Callback.NOOP);
            } catch (RuntimeException e) {
                abort(gen, gen.endReason);
            }
        } else if (!gen.binaryLogged) {
            gen.binaryLogged = true;
            LOG.warn("{}: dropped a binary message ({} bytes); this service speaks text (counted in binaryDropped)", label, length);
        }
    }

    private void onError(Generation gen, Throwable error) {
        if (error instanceof MessageTooLargeException) {
            oversized.incrementAndGet();
            gen.endReason = "an inbound message was larger than maxMessageSize (" + settings.maxMessageSize()
                    + " bytes): closed with 1009";
        } else if (error instanceof BadPayloadException) {
            badPayload.incrementAndGet();
            gen.endReason = "an inbound text message was not valid UTF-8: closed with 1007";
        } else if (gen.endReason == null) {
            String detail = error.getClass().getSimpleName()
                    + (error.getMessage() == null ? "" : ": " + scrub(error.getMessage()));
            gen.endReason = error instanceof IOException || error.getCause() instanceof IOException
                    ? "connection lost without a close frame (" + detail + ")"
                    : "error: " + detail;
        }
        LOG.debug("{}: connection error {}", label, error.toString());
    }

    private void onClose(Generation gen, int code, String reason) {
        gen.closeCode.complete(code);
        String why = gen.endReason != null ? gen.endReason
                : code == StatusCode.ABNORMAL || code == StatusCode.NO_CLOSE
                        ? "connection lost (" + code + ", " + sanitize(reason) + ")"
                        : "the server closed the connection (" + code + (reason == null || reason.isEmpty() ? "" : " '" + sanitize(reason) + "'") + ")";
        ended(gen, why);
    }

    // ------------------------------------------------------------------ helpers

    private ConnectionState stateLocked() {
        return closing ? ConnectionState.CLOSED : current != null ? ConnectionState.CONNECTED : ConnectionState.RECONNECTING;
    }

    private Generation currentOrThrow() {
        synchronized (lock) {
            if (current == null) {
                throw new WebSocketException.Unavailable(label + " is " + describeStateLocked());
            }
            return current;
        }
    }

    private String describeState() {
        synchronized (lock) {
            return describeStateLocked();
        }
    }

    private String describeStateLocked() {
        if (closing) {
            return "stopped";
        }
        if (current != null) {
            return "connected (generation " + current.number + ")";
        }
        long since = Duration.ofNanos(System.nanoTime() - disconnectedAtNanos).toMillis();
        return "reconnecting (attempt " + attempt + ", " + since + " ms since " + lastDisconnect
                + (lastAttemptFailure == null ? "" : "; last attempt: " + lastAttemptFailure) + ")";
    }

    private String describeConnectFailure(Throwable error) {
        Throwable e = unwrap(error);
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UpgradeException upgrade && upgrade.getResponseStatusCode() > 0) {
                return "the server refused the handshake with HTTP " + upgrade.getResponseStatusCode();
            }
            if (c instanceof TimeoutException || c instanceof java.net.SocketTimeoutException
                    || c instanceof java.nio.channels.InterruptedByTimeoutException) {
                return "handshake not completed within " + settings.connectTimeout();
            }
            if (c instanceof ConnectException) {
                return "connection refused (" + scrub(String.valueOf(c.getMessage())) + ")";
            }
        }
        return e.getClass().getSimpleName() + ": " + scrub(String.valueOf(e.getMessage()));
    }

    /** Removes what may be secret from a message of Jetty's: the full URL (with its query) and header values. */
    private String scrub(String message) {
        String out = message.replace(settings.uri().toString(), settings.displayUri());
        for (Map.Entry<String, String> header : settings.headers().entrySet()) {
            if (header.getValue().length() >= 4) {
                out = out.replace(header.getValue(), "***");
            }
        }
        return sanitize(out);
    }

    /** A close reason or error text from outside, bounded and without control characters. */
    private static String sanitize(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_REASON + 3));
        for (int i = 0; i < text.length() && out.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? '?' : c);
        }
        if (text.length() > MAX_REASON) {
            out.append("...");
        }
        return out.toString();
    }

    private ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RuntimeException rejected) {
            // stopped: run it now, it fails what it guards
            task.run();
            return new CompletableFutureScheduled();
        }
    }

    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private WebSocketException asWebSocketException(Throwable e) {
        Throwable t = unwrap(e);
        return t instanceof WebSocketException wse ? wse : new WebSocketException(label + ": " + scrub(String.valueOf(t)), t);
    }

    private <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WebSocketException(label + ": interrupted while " + what, e);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw asWebSocketException(cause);
        }
    }

    private static void requirePositive(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    private static <T> void failAll(java.util.Collection<T> items, Consumer<T> fail) {
        for (T item : new ArrayList<>(items)) {
            fail.accept(item);
        }
    }

    @Override
    public String toString() {
        return "WebSocketService[" + settings.name() + ", " + settings.displayUri() + ", " + state() + "]";
    }

    /** A request awaiting its reply. */
    private static final class Pending {
        final String id;
        final CompletableFuture<String> reply;
        volatile Generation sentOn;

        Pending(String id, CompletableFuture<String> reply) {
            this.id = id;
            this.reply = reply;
        }
    }

    /** A ping awaiting its pong. */
    private static final class PingWait {
        final long id;
        final Generation gen;
        final long sentAtNanos;
        final CompletableFuture<Duration> pong = new CompletableFuture<>();

        PingWait(long id, Generation gen, long sentAtNanos) {
            this.id = id;
            this.gen = gen;
            this.sentAtNanos = sentAtNanos;
        }
    }

    /** A scheduled task that could not be scheduled (the timer is stopped): already done. */
    private static final class CompletableFutureScheduled extends CompletableFuture<Object> implements ScheduledFuture<Object> {
        CompletableFutureScheduled() {
            complete(null);
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(java.util.concurrent.Delayed other) {
            return 0;
        }
    }

    /** One connection: its session, how it ended, and what its listener does with Jetty's events. */
    private final class Generation implements ConnectionListener.Events {
        final AtomicBoolean ended = new AtomicBoolean();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        final ConnectionListener listener = new ConnectionListener(this);
        volatile Session session;
        volatile long number;
        volatile String endReason;
        volatile boolean binaryLogged;

        @Override
        public void opened(Session session) {
            this.session = session;
        }

        @Override
        public void text(String message) {
            onText(this, message);
        }

        @Override
        public void binary(int length) {
            onBinary(this, length);
        }

        @Override
        public void pong(ByteBuffer payload) {
            pongs.incrementAndGet();
            if (payload != null && payload.remaining() == Long.BYTES) {
                PingWait wait = pings.remove(payload.getLong(payload.position()));
                if (wait != null) {
                    long rtt = System.nanoTime() - wait.sentAtNanos;
                    lastRoundTripNanos = rtt;
                    wait.pong.complete(Duration.ofNanos(rtt));
                }
            }
        }

        @Override
        public void error(Throwable cause) {
            onError(this, cause);
        }

        @Override
        public void closed(int statusCode, String reason) {
            onClose(this, statusCode, reason);
        }
    }
}
