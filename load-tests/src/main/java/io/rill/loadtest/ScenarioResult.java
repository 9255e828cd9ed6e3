package io.rill.loadtest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one fault scenario found, for the report: its figures (label and value, in the order they were taken), its
 * checks (each passed or failed, with what was seen), a table of its own when it has one (the restarts of the kill
 * scenario, the bursts), notes (what the logs said, settings that matter), the chart it drew, and the error that
 * stopped it early, if one did. A scenario passes when it ran to its end and every check passed.
 */
final class ScenarioResult {

    record Check(String name, boolean passed, String detail) {
    }

    final String key;
    final String title;
    final List<String> steps = new ArrayList<>();
    final Map<String, String> figures = new LinkedHashMap<>();
    final List<Check> checks = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    String tableTitle;
    List<String> tableHeader = List.of();
    final List<List<String>> tableRows = new ArrayList<>();
    String chartFile;
    String failure;
    double seconds;

    ScenarioResult(String key, String title) {
        this.key = key;
        this.title = title;
    }

    void figure(String label, String format, Object... args) {
        figures.put(label, String.format(Locale.ROOT, format, args));
    }

    /** Records a check and prints it. */
    void check(String name, boolean passed, String format, Object... args) {
        String detail = String.format(Locale.ROOT, format, args);
        checks.add(new Check(name, passed, detail));
        System.out.printf("[%s] %s: %s (%s)%n", key, passed ? "pass" : "FAIL", name, detail);
    }

    void note(String format, Object... args) {
        notes.add(String.format(Locale.ROOT, format, args));
    }

    boolean passed() {
        return failure == null && checks.stream().allMatch(Check::passed);
    }

    long failedChecks() {
        return checks.stream().filter(c -> !c.passed()).count();
    }
}
