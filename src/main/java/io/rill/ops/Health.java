package io.rill.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Whether the node is up, part by part (ingest, the learners, the broker connection), as {@code /health} says it:
 * each part is asked when the report is made, so the answer is never older than the request. The node is up when
 * every part is; a part that cannot say (its check throws) is down, with the exception as the reason.
 */
public final class Health {

    /** One part's state: up or not, a one-word state ("consuming", "paused", "unreachable", ...) and why. */
    public record Part(boolean up, String state, String detail) {

        public static Part up(String state, String detail) {
            return new Part(true, state, detail);
        }

        public static Part down(String state, String detail) {
            return new Part(false, state, detail);
        }
    }

    /** The parts at one moment. */
    public record Report(Instant time, Map<String, Part> parts) {

        public boolean up() {
            return parts.values().stream().allMatch(Part::up);
        }

        /** {@code {"status":"up"|"down","time":...,"parts":{"ingest":{"status":..,"state":..,"detail":..},...}}}. */
        public String json() {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = mapper.createObjectNode();
            root.put("status", up() ? "up" : "down");
            root.put("time", time.toString());
            ObjectNode byName = root.putObject("parts");
            parts.forEach((name, part) -> byName.putObject(name)
                    .put("status", part.up() ? "up" : "down")
                    .put("state", part.state())
                    .put("detail", part.detail()));
            try {
                return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private final Map<String, Supplier<Part>> checks = new LinkedHashMap<>();

    /** Adds (or replaces) the check of part {@code name}; parts are reported in the order they were added. */
    public synchronized Health check(String name, Supplier<Part> check) {
        checks.put(name, check);
        return this;
    }

    public Report report() {
        Map<String, Supplier<Part>> now;
        synchronized (this) {
            now = new LinkedHashMap<>(checks);
        }
        Map<String, Part> parts = new LinkedHashMap<>();
        now.forEach((name, check) -> {
            Part part;
            try {
                part = check.get();
            } catch (RuntimeException e) {
                part = Part.down("unknown", "the check failed: " + e);
            }
            parts.put(name, part);
        });
        return new Report(Instant.now(), parts);
    }
}
