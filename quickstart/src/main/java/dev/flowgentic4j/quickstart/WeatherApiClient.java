package dev.flowgentic4j.quickstart;

import dev.langchain4j.agent.tool.P;
import dev.langchain4j.agent.tool.Tool;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stand-in for an authenticated weather API client: it "logs in" once when the service starts
 * (the expensive part a SERVICE_TASK keeps warm), then answers every call on that session and
 * counts them. Its {@code @Tool} methods are what the agent sees. Thread-safe.
 */
public final class WeatherApiClient implements AutoCloseable {
    private static final String[] SKIES = {"sunny", "cloudy", "rainy", "windy", "snowy"};

    private final String session;
    private final AtomicLong calls = new AtomicLong();
    private volatile boolean closed;

    private WeatherApiClient(String session) {
        this.session = session;
    }

    /** Authenticates with {@code credentials} and opens a session (the cold start). */
    public static WeatherApiClient login(String credentials) {
        Objects.requireNonNull(credentials, "credentials");
        return new WeatherApiClient("session-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Tool("Current weather of a city")
    public String currentWeather(@P("the city, e.g. Oslo") String city) {
        ensureOpen();
        calls.incrementAndGet();
        int h = Math.abs(city.toLowerCase().hashCode());
        return city + ": " + SKIES[h % SKIES.length] + ", " + (h % 30 - 5) + " °C";
    }

    @Tool("Weather forecast of a city for the next days")
    public String forecast(@P("the city") String city, @P("number of days, 1 to 7") int days) {
        ensureOpen();
        calls.incrementAndGet();
        if (days < 1 || days > 7) {
            throw new IllegalArgumentException("days must be 1 to 7, was " + days);
        }
        StringBuilder out = new StringBuilder(city + " forecast:");
        int h = Math.abs(city.toLowerCase().hashCode());
        for (int d = 1; d <= days; d++) {
            out.append(" day ").append(d).append(' ').append(SKIES[(h + d) % SKIES.length]).append(';');
        }
        return out.toString();
    }

    /** The session opened at login; the same for every call on this instance. */
    public String session() {
        return session;
    }

    /** Calls served on this session. */
    public long calls() {
        return calls.get();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("weather client " + session + " is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
