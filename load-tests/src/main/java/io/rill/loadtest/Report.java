package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Markdown section of a benchmark's report: headings, paragraphs, bullets and tables, and the formats every report
 * uses for numbers. Printed on the terminal as it is, and appended to {@code <results>/<bench>-<date>.md}.
 */
final class Report {

    private final StringBuilder md = new StringBuilder();

    /** {@code String.format} in the root locale. */
    static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** A count or rate with thousands separators, no decimals; "n/a" for NaN, "∞" for infinity. */
    static String n(double v) {
        return Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? "∞" : f("%,.0f", v);
    }

    /** A number with {@code places} decimals, or "n/a". */
    static String d(double v, int places) {
        return Double.isNaN(v) ? "n/a" : Double.isInfinite(v) ? "∞" : f("%,." + places + "f", v);
    }

    static String mib(long bytes) {
        return bytes < 0 ? "n/a" : f("%,.0f MiB", bytes / Machine.MIB);
    }

    /** Map entries as "`key = value`, ...". */
    static String settings(Map<String, ?> settings) {
        List<String> parts = new ArrayList<>();
        settings.forEach((k, v) -> parts.add("`" + k + " = " + v + "`"));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    Report h2(String title) {
        md.append("## ").append(title).append("\n\n");
        return this;
    }

    Report h3(String title) {
        md.append("### ").append(title).append("\n\n");
        return this;
    }

    Report para(String format, Object... args) {
        md.append(f(format, args)).append("\n\n");
        return this;
    }

    Report bullet(String format, Object... args) {
        md.append("- ").append(f(format, args)).append('\n');
        return this;
    }

    /** Ends a list of bullets. */
    Report end() {
        md.append('\n');
        return this;
    }

    Report code(List<String> lines) {
        md.append("```\n").append(String.join("\n", lines)).append("\n```\n\n");
        return this;
    }

    /** A table; a column whose name starts with '>' is right-aligned (the '>' is not shown). */
    Report table(List<String> columns, List<? extends List<?>> rows) {
        md.append('|');
        columns.forEach(c -> md.append(' ').append(c.startsWith(">") ? c.substring(1) : c).append(" |"));
        md.append("\n|");
        columns.forEach(c -> md.append(c.startsWith(">") ? " ---: |" : " --- |"));
        md.append('\n');
        for (List<?> row : rows) {
            md.append('|');
            row.forEach(cell -> md.append(' ').append(String.valueOf(cell).replace("|", "\\|").replace("\n", " "))
                    .append(" |"));
            md.append('\n');
        }
        md.append('\n');
        return this;
    }

    /** Two columns, "figure | value". */
    Report figures(Map<String, String> figures) {
        List<List<String>> rows = new ArrayList<>();
        figures.forEach((k, v) -> rows.add(List.of(k, v)));
        return rows.isEmpty() ? this : table(List.of("figure", "value"), rows);
    }

    String text() {
        return md.toString();
    }

    /** Appends {@code section} to {@code file}, starting the file with {@code title} and {@code preamble} if new. */
    static void append(Path file, String title, String preamble, String section) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        String head = Files.exists(file) ? "" : "# " + title + "\n\n" + preamble + "\n\n";
        Files.writeString(file, head + section, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}
