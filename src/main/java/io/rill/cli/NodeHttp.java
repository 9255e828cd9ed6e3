package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.rill.node.RillSettings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How a command reaches a running node's HTTP endpoint ({@code rill.http}): {@code --http HOST:PORT}, or the
 * configured address (with port 0, the one a node on this machine wrote to {@code <data-dir>/http.txt}).
 */
final class NodeHttp {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--http", paramLabel = "HOST:PORT",
            description = "The node's HTTP endpoint (default: rill.http.host:port from the configuration).")
    String address;

    /** A node's answer that was not 200: its status and what it said. */
    static final class Refused extends IOException {
        final int status;

        Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** A response's headers and where its body went. */
    record Downloaded(Path file, long bytes, Map<String, String> headers) {
        String header(String name) {
            return headers.getOrDefault(name.toLowerCase(java.util.Locale.ROOT), "");
        }
    }

    private HttpClient client;

    String base(RillSettings settings) {
        return "http://" + (address != null ? address : settings.clientHttp());
    }

    private HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        return client;
    }

    /** GET {@code path} (with its query) as JSON. */
    JsonNode json(RillSettings settings, String path) throws IOException {
        return JSON.readTree(text(settings, path));
    }

    /** GET {@code path} as text. */
    String text(RillSettings settings, String path) throws IOException {
        HttpResponse<String> response = send(settings, path, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() != 200) {
            throw new Refused(response.statusCode(), response.body().strip());
        }
        return response.body();
    }

    /**
     * GET {@code path} into {@code target}: written beside it under a temporary name and moved into place once
     * complete, so an interrupted download never leaves a half file under the name asked for.
     */
    Downloaded download(RillSettings settings, String path, Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path parent = absolute.getParent();
        Files.createDirectories(parent);
        // Not createTempFile: its owner-only permissions would stay on the file; this one gets the usual ones.
        Path temp = parent.resolve("." + absolute.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".part");
        try {
            HttpResponse<Path> response = send(settings, path, HttpResponse.BodyHandlers.ofFile(temp));
            if (response.statusCode() != 200) {
                throw new Refused(response.statusCode(), Files.readString(temp).strip());
            }
            long bytes = Files.size(temp);
            String announced = response.headers().firstValue("content-length").orElse(null);
            if (announced != null && Long.parseLong(announced) != bytes) {
                throw new IOException("the download ended after " + bytes + " of " + announced + " bytes");
            }
            Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Map<String, String> headers = response.headers().map().entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().toLowerCase(java.util.Locale.ROOT),
                            e -> e.getValue().isEmpty() ? "" : e.getValue().get(0), (a, b) -> a));
            return new Downloaded(absolute, bytes, headers);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private <T> HttpResponse<T> send(RillSettings settings, String path, HttpResponse.BodyHandler<T> body)
            throws IOException {
        String url = base(settings) + path;
        try {
            return client().send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10)).GET().build(),
                    body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw new IOException("no rill node answers at " + base(settings) + " (rill.http: is the node running, and "
                    + "is its HTTP endpoint on this address? --http HOST:PORT names another): " + e, e);
        }
    }

    static String query(String name, String value) {
        return name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
