package io.rill.text;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * The text that comes in rill's jar (the demo's data): the names list and Moby-Dick, gzipped. The demo feeds them, and
 * the tests and fault scenarios use them as realistic input.
 */
public final class BundledText {

    /** One name per line. */
    public static final String NAMES = "/demo/names.txt.gz";
    /** Moby-Dick, hard-wrapped, paragraphs separated by blank lines. */
    public static final String MOBY_DICK = "/demo/moby-dick.txt.gz";

    private BundledText() {
    }

    /** The lines of a bundled resource, blank ones included. */
    public static List<String> lines(String resource) {
        try (InputStream raw = BundledText.class.getResourceAsStream(resource)) {
            if (raw == null) {
                throw new IllegalStateException("missing bundled resource " + resource);
            }
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(new GZIPInputStream(raw), StandardCharsets.UTF_8))) {
                return reader.lines().toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }

    /** The bundled names, one per entry, blank lines left out. */
    public static List<String> names() {
        return lines(NAMES).stream().filter(line -> !line.isBlank()).map(String::strip).toList();
    }

    /** Joins hard-wrapped lines into paragraphs; blank lines separate paragraphs. */
    public static List<String> paragraphs(List<String> lines) {
        List<String> paragraphs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : lines) {
            if (line.isBlank()) {
                if (current.length() > 0) {
                    paragraphs.add(current.toString());
                    current.setLength(0);
                }
            } else {
                if (current.length() > 0) {
                    current.append(' ');
                }
                current.append(line.strip());
            }
        }
        if (current.length() > 0) {
            paragraphs.add(current.toString());
        }
        return paragraphs;
    }
}
