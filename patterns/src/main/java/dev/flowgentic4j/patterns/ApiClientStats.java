package dev.flowgentic4j.patterns;

/**
 * Counters of one API client instance: calls made, token requests sent to the token endpoint (the
 * first one included), renewals after a {@code 401}, retries after a {@code 429}/{@code 503}, logins,
 * and calls that failed.
 */
public record ApiClientStats(long calls, long tokenRequests, long renewalsAfter401, long retries, long logins,
                             long failures) {}
