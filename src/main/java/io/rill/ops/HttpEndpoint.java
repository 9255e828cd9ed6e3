package io.rill.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's HTTP endpoint: the JDK's own server ({@code com.sun.net.httpserver}), two threads, GET only, one
 * handler per path ({@code /metrics}, {@code /health}, {@code /vectors}, ...), plus an index at {@code /}. Nothing
 * it serves changes the node. It binds {@code rill.http.host} (127.0.0.1 by default); on another address it warns,
 * since whoever reaches the port reads the metrics, the training curves and the word vectors.
 */
public final class HttpEndpoint implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpEndpoint.class);

    /** Answers a GET of one path. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws IOException;
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, String> index = new LinkedHashMap<>();

    private HttpEndpoint(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Binds the address; handlers are added with {@link #route} before or after. */
    public static HttpEndpoint start(HttpSettings settings) throws IOException {
        InetAddress address = InetAddress.getByName(settings.host());
        HttpServer server = HttpServer.create(new InetSocketAddress(address, settings.port()), 16);
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, "rill-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        HttpEndpoint endpoint = new HttpEndpoint(server, executor);
        server.createContext("/", exchange -> endpoint.serve(exchange, "/", e -> {
            if (!e.path().equals("/")) {
                e.text(404, "no such path: " + e.path() + "\n\n" + endpoint.indexText());
            } else {
                e.text(200, endpoint.indexText());
            }
        }));
        server.start();
        if (!address.isLoopbackAddress()) {
            log.warn("the HTTP endpoint listens on {}, not a loopback address: whoever reaches it reads the metrics, "
                    + "the training curves and the word vectors (rill.http.host)", endpoint.address());
        }
        log.info("HTTP endpoint on http://{}/ (metrics, health)", endpoint.address());
        return endpoint;
    }

    /** Serves {@code path} (exactly that path) with {@code handler}; {@code description} goes in the index. */
    public HttpEndpoint route(String path, String description, Handler handler) {
        index.put(path, description);
        server.createContext(path, exchange -> serve(exchange, path, handler));
        return this;
    }

    /** {@code host:port} as bound (the actual port when 0 was asked for). */
    public String address() {
        InetSocketAddress bound = server.getAddress();
        String host = bound.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private String indexText() {
        StringBuilder s = new StringBuilder("rill node\n\n");
        index.forEach((path, description) -> s.append(String.format("%-10s %s%n", path, description)));
        return s.toString();
    }

    private void serve(HttpExchange http, String path, Handler handler) throws IOException {
        try (http) {
            Exchange exchange = new Exchange(http);
            String method = http.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                http.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.text(405, "only GET and HEAD\n");
                return;
            }
            if (!path.equals("/") && !exchange.path().equals(path)) {
                exchange.text(404, "no such path: " + exchange.path() + "\n");
                return;
            }
            try {
                handler.handle(exchange);
            } catch (IOException e) {
                log.debug("HTTP {} {}: {}", method, http.getRequestURI(), e.toString());
            } catch (RuntimeException e) {
                log.warn("HTTP {} {} failed: {}", method, http.getRequestURI(), e.toString());
                if (!exchange.responded) {
                    exchange.text(500, "error: " + e + "\n");
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** One request and its answer. */
    public static final class Exchange {
        private final HttpExchange http;
        private final Map<String, String> query;
        private boolean responded;

        Exchange(HttpExchange http) {
            this.http = http;
            this.query = parseQuery(http.getRequestURI().getRawQuery());
        }

        public String path() {
            return http.getRequestURI().getPath();
        }

        /** The query parameter {@code name}, decoded; null when absent. */
        public String query(String name) {
            return query.get(name);
        }

        public String header(String name) {
            return http.getRequestHeaders().getFirst(name);
        }

        public void text(int status, String body) throws IOException {
            bytes(status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
        }

        public void bytes(int status, String contentType, byte[] body) throws IOException {
            responded = true;
            http.getResponseHeaders().set("Content-Type", contentType);
            boolean head = http.getRequestMethod().equals("HEAD");
            http.sendResponseHeaders(status, head ? -1 : body.length == 0 ? -1 : body.length);
            if (!head && body.length > 0) {
                try (OutputStream out = http.getResponseBody()) {
                    out.write(body);
                }
            }
        }

        /** Sends {@code file} as it is on disk, with its length; {@code downloadName} names it for a browser. */
        public void file(String contentType, Path file, String downloadName) throws IOException {
            responded = true;
            long length = Files.size(file);
            http.getResponseHeaders().set("Content-Type", contentType);
            if (downloadName != null) {
                http.getResponseHeaders().set("Content-Disposition", "attachment; filename=\"" + downloadName + "\"");
            }
            boolean head = http.getRequestMethod().equals("HEAD");
            http.sendResponseHeaders(200, head || length == 0 ? -1 : length);
            if (!head && length > 0) {
                // Exactly the announced length, though the file may grow meanwhile (a training curve gets a row).
                try (InputStream in = Files.newInputStream(file); OutputStream out = http.getResponseBody()) {
                    byte[] buffer = new byte[65536];
                    long left = length;
                    while (left > 0) {
                        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                        if (n < 0) {
                            throw new IOException(file + " shrank while it was sent");
                        }
                        out.write(buffer, 0, n);
                        left -= n;
                    }
                }
            }
        }

        /** Adds a response header (before the body is sent). */
        public void responseHeader(String name, String value) {
            http.getResponseHeaders().set(name, value);
        }

        static Map<String, String> parseQuery(String raw) {
            Map<String, String> params = new LinkedHashMap<>();
            if (raw == null || raw.isEmpty()) {
                return params;
            }
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(key, value);
            }
            return params;
        }
    }
}
