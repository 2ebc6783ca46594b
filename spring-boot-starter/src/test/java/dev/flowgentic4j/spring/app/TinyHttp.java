package dev.flowgentic4j.spring.app;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A real HTTP server on a free port of 127.0.0.1: a service that holds a port and threads. */
public final class TinyHttp implements AutoCloseable {
    private final HttpServer server;
    private final StopLog stops;
    private final String name;

    public TinyHttp(String name, StopLog stops) throws IOException {
        this.name = name;
        this.stops = stops;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = ("hello from " + name).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        stops.stopped(name);
    }
}
