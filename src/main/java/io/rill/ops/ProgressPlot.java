package io.rill.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Draws a training-curve file ({@link ProgressCsv}) as a standalone SVG: one small line chart per chosen column, two
 * to a row, each with its own y scale, ticks and last value, over a shared x axis: the time since the file's first
 * row (seconds, minutes or hours, whichever reads best), or another column such as {@code CharactersTrained}. A line
 * breaks where a value is missing and where the node was down (a gap in time of more than ten sampling intervals).
 *
 * <p>Nothing here knows a model: which columns are drawn by default is a rule on their names ({@link #defaultColumns}),
 * so the curves of any kind of model draw without a change here. Plain text, escaped for XML, as rill's other SVG.
 */
public final class ProgressPlot {

    private static final int PANEL_W = 460, PANEL_H = 230, GAP_X = 40, GAP_Y = 30, MARGIN = 30, TOP = 70;
    private static final int PLOT_LEFT = 64, PLOT_RIGHT = 14, PLOT_TOP = 30, PLOT_BOTTOM = 42;
    private static final int COLUMNS = 2;
    /** Columns drawn when none are asked for: losses, accuracies and rates, by name. */
    private static final Pattern WANTED = Pattern.compile(
            "(?i).*(loss|accuracy|perplexity|bleu|f1|errorrate|persecond).*");
    private static final int MAX_DEFAULT_PANELS = 8;

    private ProgressPlot() {
    }

    /**
     * The columns drawn when none are named: those whose names say loss, accuracy, perplexity, BLEU, F1, error rate or
     * per second and that have at least one value; if there are none, every column whose value changes; at most eight.
     */
    public static List<String> defaultColumns(ProgressCsv.Table table) {
        List<String> wanted = new ArrayList<>();
        for (int c = 0; c < table.columns().size(); c++) {
            if (WANTED.matcher(table.columns().get(c)).matches() && hasValue(table.values(c))) {
                wanted.add(table.columns().get(c));
            }
        }
        if (wanted.isEmpty()) {
            for (int c = 0; c < table.columns().size(); c++) {
                if (varies(table.values(c))) {
                    wanted.add(table.columns().get(c));
                }
            }
        }
        return wanted.size() > MAX_DEFAULT_PANELS ? wanted.subList(0, MAX_DEFAULT_PANELS) : wanted;
    }

    /** Writes {@link #svg} to {@code out} (through a temporary file, so a reader never sees half a picture). */
    public static void write(Path out, ProgressCsv.Table table, List<String> columns, String xColumn, String title)
            throws IOException {
        byte[] bytes = svg(table, columns, xColumn, title).getBytes(StandardCharsets.UTF_8);
        Path parent = out.toAbsolutePath().getParent();
        Path temp = parent.resolve("." + out.getFileName() + "." + Long.toHexString(System.nanoTime()) + ".tmp");
        try {
            Files.write(temp, bytes);
            Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * The picture: {@code columns} of {@code table} (names of its columns) against time, or against {@code xColumn}
     * when it is not null.
     *
     * @throws IllegalArgumentException when a column is not in the table, or the table has no rows
     */
    public static String svg(ProgressCsv.Table table, List<String> columns, String xColumn, String title) {
        if (table.rows().isEmpty()) {
            throw new IllegalArgumentException("the training curve has no rows yet");
        }
        for (String column : columns) {
            if (table.column(column) < 0) {
                throw new IllegalArgumentException("no column " + column + "; the file has " + table.columns());
            }
        }
        if (xColumn != null && table.column(xColumn) < 0) {
            throw new IllegalArgumentException("no column " + xColumn + "; the file has " + table.columns());
        }
        XAxis x = xColumn == null ? timeAxis(table) : new XAxis(table.values(table.column(xColumn)), xColumn,
                breaksByTime(table));
        int panels = Math.max(1, columns.size());
        int rows = (panels + COLUMNS - 1) / COLUMNS;
        int width = 2 * MARGIN + COLUMNS * PANEL_W + (COLUMNS - 1) * GAP_X;
        int height = TOP + rows * PANEL_H + (rows - 1) * GAP_Y + MARGIN + 20;

        StringBuilder s = new StringBuilder(4096 + 64 * table.rows().size() * panels);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
         .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
         .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
         .append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
         .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, width / 2.0, 32, "middle", 20, "bold", title);
        text(s, width / 2.0, 52, "middle", 12, "normal", String.format(Locale.ROOT, "%d samples, %s to %s",
                table.rows().size(), table.times().get(0).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                table.times().get(table.times().size() - 1).truncatedTo(java.time.temporal.ChronoUnit.SECONDS)));
        if (columns.isEmpty()) {
            text(s, width / 2.0, TOP + PANEL_H / 2.0, "middle", 14, "normal", "no column to draw");
        }
        for (int i = 0; i < columns.size(); i++) {
            double left = MARGIN + (i % COLUMNS) * (PANEL_W + GAP_X);
            double top = TOP + (i / COLUMNS) * (PANEL_H + GAP_Y);
            panel(s, left, top, columns.get(i), table.values(table.column(columns.get(i))), x);
        }
        return s.append("</svg>\n").toString();
    }

    /** The x values, what to call them, and before which rows a line must break (the node was down). */
    private record XAxis(double[] values, String label, boolean[] breakBefore) {
    }

    private static XAxis timeAxis(ProgressCsv.Table table) {
        long first = table.times().get(0).toEpochMilli();
        long last = table.times().get(table.times().size() - 1).toEpochMilli();
        double spanSeconds = (last - first) / 1000.0;
        double unit;
        String label;
        if (spanSeconds >= 3 * 3600) {
            unit = 3600;
            label = "hours since the first sample";
        } else if (spanSeconds >= 180) {
            unit = 60;
            label = "minutes since the first sample";
        } else {
            unit = 1;
            label = "seconds since the first sample";
        }
        double[] values = new double[table.rows().size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (table.times().get(i).toEpochMilli() - first) / 1000.0 / unit;
        }
        return new XAxis(values, label, breaksByTime(table));
    }

    /** A break before every row more than ten median sampling intervals after the one before it. */
    private static boolean[] breaksByTime(ProgressCsv.Table table) {
        int n = table.times().size();
        boolean[] breaks = new boolean[n];
        if (n < 3) {
            return breaks;
        }
        long[] steps = new long[n - 1];
        for (int i = 1; i < n; i++) {
            steps[i - 1] = Duration.between(table.times().get(i - 1), table.times().get(i)).toMillis();
        }
        long[] sorted = steps.clone();
        Arrays.sort(sorted);
        long median = Math.max(1, sorted[sorted.length / 2]);
        for (int i = 1; i < n; i++) {
            breaks[i] = steps[i - 1] > 10 * median;
        }
        return breaks;
    }

    private static void panel(StringBuilder s, double left, double top, String name, double[] y, XAxis x) {
        double plotLeft = left + PLOT_LEFT, plotTop = top + PLOT_TOP;
        double plotW = PANEL_W - PLOT_LEFT - PLOT_RIGHT, plotH = PANEL_H - PLOT_TOP - PLOT_BOTTOM;
        s.append("<g class=\"panel\">\n");
        text(s, plotLeft, top + 16, "start", 14, "bold", name);
        double[] xr = range(x.values());
        double[] yr = range(y);
        if (Double.isNaN(yr[0]) || Double.isNaN(xr[0])) {
            frame(s, plotLeft, plotTop, plotW, plotH);
            text(s, plotLeft + plotW / 2, plotTop + plotH / 2, "middle", 12, "normal", "no values yet");
            s.append("</g>\n");
            return;
        }
        double[] ys = padded(yr);
        double[] xs = xr[1] > xr[0] ? xr : new double[] {xr[0] - 0.5, xr[0] + 0.5};
        frame(s, plotLeft, plotTop, plotW, plotH);
        s.append("<g font-size=\"11\" fill=\"#444\">\n");
        double yStep = niceStep((ys[1] - ys[0]) / 5);
        for (long k = (long) Math.ceil(ys[0] / yStep); k * yStep <= ys[1] + yStep * 1e-9; k++) {
            double py = plotTop + plotH - (k * yStep - ys[0]) / (ys[1] - ys[0]) * plotH;
            line(s, plotLeft, py, plotLeft + plotW, py, "#eee");
            text(s, plotLeft - 6, py + 4, "end", 11, "normal", tickLabel(k * yStep, yStep));
        }
        double xStep = niceStep((xs[1] - xs[0]) / 6);
        for (long k = (long) Math.ceil(xs[0] / xStep); k * xStep <= xs[1] + xStep * 1e-9; k++) {
            double px = plotLeft + (k * xStep - xs[0]) / (xs[1] - xs[0]) * plotW;
            line(s, px, plotTop + plotH, px, plotTop + plotH + 4, "#444");
            text(s, px, plotTop + plotH + 16, "middle", 11, "normal", tickLabel(k * xStep, xStep));
        }
        text(s, plotLeft + plotW / 2, plotTop + plotH + 34, "middle", 11, "normal", x.label());
        s.append("</g>\n<path fill=\"none\" stroke=\"#1f5fa8\" stroke-width=\"1.6\" d=\"");
        boolean pen = false;
        double lastValue = Double.NaN;
        int points = 0;
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i]) || !Double.isFinite(x.values()[i]) || x.breakBefore()[i]) {
                pen = false;
                if (!Double.isFinite(y[i]) || !Double.isFinite(x.values()[i])) {
                    continue;
                }
            }
            double px = plotLeft + (x.values()[i] - xs[0]) / (xs[1] - xs[0]) * plotW;
            double py = plotTop + plotH - (y[i] - ys[0]) / (ys[1] - ys[0]) * plotH;
            s.append(pen ? " L" : " M").append(num(px)).append(',').append(num(py));
            pen = true;
            lastValue = y[i];
            points++;
        }
        s.append("\"/>\n");
        if (points == 1) { // a single point draws no line: show it as a dot
            for (int i = 0; i < y.length; i++) {
                if (Double.isFinite(y[i]) && Double.isFinite(x.values()[i])) {
                    s.append("<circle fill=\"#1f5fa8\" r=\"3\" cx=\"")
                     .append(num(plotLeft + (x.values()[i] - xs[0]) / (xs[1] - xs[0]) * plotW)).append("\" cy=\"")
                     .append(num(plotTop + plotH - (y[i] - ys[0]) / (ys[1] - ys[0]) * plotH)).append("\"/>\n");
                }
            }
        }
        text(s, plotLeft + plotW, plotTop - 6, "end", 11, "normal", "last " + value(lastValue));
        s.append("</g>\n");
    }

    private static void frame(StringBuilder s, double x, double y, double w, double h) {
        s.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"").append(num(w))
         .append("\" height=\"").append(num(h)).append("\" fill=\"none\" stroke=\"#444\"/>\n");
    }

    /** Min and max of the finite values; NaN, NaN when there are none. */
    static double[] range(double[] values) {
        double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            if (Double.isFinite(v)) {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        return min > max ? new double[] {Double.NaN, Double.NaN} : new double[] {min, max};
    }

    /** 5% of room above and below; a flat line gets a range around it. */
    private static double[] padded(double[] r) {
        double span = r[1] - r[0];
        if (span <= 0) {
            double half = Math.max(Math.abs(r[0]) * 0.05, 1e-9);
            return new double[] {r[0] - half, r[1] + half};
        }
        return new double[] {r[0] - span * 0.05, r[1] + span * 0.05};
    }

    private static boolean hasValue(double[] values) {
        return Arrays.stream(values).anyMatch(Double::isFinite);
    }

    private static boolean varies(double[] values) {
        double[] r = range(values);
        return !Double.isNaN(r[0]) && r[1] > r[0];
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        if (!(rough > 0) || !Double.isFinite(rough)) {
            return 1;
        }
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5}) {
            if (m * power >= rough) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String tickLabel(double t, double step) {
        if (Math.abs(t) >= 1e6 || step >= 1e6) {
            return String.format(Locale.ROOT, "%.3g", t);
        }
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(t) < step / 2 ? 0 : t);
    }

    private static String value(double v) {
        if (Double.isNaN(v)) {
            return "-";
        }
        if (Math.rint(v) == v && Math.abs(v) < 1e15 || Math.abs(v) >= 1000 && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static void line(StringBuilder s, double x1, double y1, double x2, double y2, String stroke) {
        s.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"").append(num(x2))
         .append("\" y2=\"").append(num(y2)).append("\" stroke=\"").append(stroke).append("\"/>\n");
    }

    private static void text(StringBuilder s, double x, double y, String anchor, int size, String weight, String content) {
        s.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"")
         .append(anchor).append("\" font-size=\"").append(size).append("\" font-weight=\"").append(weight)
         .append("\">").append(escape(content)).append("</text>\n");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes XML's special characters; characters XML 1.0 cannot hold become U+FFFD. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&apos;");
                default -> {
                    boolean allowed = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
                            || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
                    out.appendCodePoint(allowed ? cp : 0xFFFD);
                }
            }
        }
        return out.toString();
    }
}
