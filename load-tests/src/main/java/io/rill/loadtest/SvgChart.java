package io.rill.loadtest;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart written as plain SVG by hand, no library: panels stacked one above the other on one time axis
 * (seconds), each with its own y axis from 0, its series as polylines (a NaN value breaks the line, so a node that
 * was down leaves a gap) and a legend; events (a kill, an outage) are dashed vertical lines through every panel,
 * labelled at the top. Enough for the fault report's throughput, lag, heap and checkpoint views, readable in a
 * browser or on GitHub.
 */
final class SvgChart {

    record Series(String label, String color, double[] x, double[] y) {
    }

    private record Panel(String title, String unit, List<Series> series) {
    }

    private record Event(double x, String label) {
    }

    private static final int WIDTH = 960;
    private static final int LEFT = 80;
    private static final int RIGHT = 24;
    private static final int TOP = 116;
    private static final int PANEL_HEIGHT = 150;
    private static final int PANEL_GAP = 56;
    private static final int BOTTOM = 48;

    private final String title;
    private final String subtitle;
    private final List<Panel> panels = new ArrayList<>();
    private final List<Event> events = new ArrayList<>();

    SvgChart(String title, String subtitle) {
        this.title = title;
        this.subtitle = subtitle;
    }

    void panel(String panelTitle, String unit, List<Series> series) {
        panels.add(new Panel(panelTitle, unit, List.copyOf(series)));
    }

    void event(double x, String label) {
        events.add(new Event(x, label));
    }

    void write(Path file) throws IOException {
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    String render() {
        double xMax = 1;
        for (Panel panel : panels) {
            for (Series s : panel.series()) {
                for (double x : s.x()) {
                    xMax = Math.max(xMax, x);
                }
            }
        }
        for (Event e : events) {
            xMax = Math.max(xMax, e.x());
        }
        // About ten ticks of a round step; the axis ends at the first tick past the data.
        double xStep = niceCeiling(xMax / 10);
        int xTicks = (int) Math.ceil(xMax / xStep - 1e-9);
        double xTop = xStep * xTicks;
        int plotWidth = WIDTH - LEFT - RIGHT;
        int height = TOP + panels.size() * (PANEL_HEIGHT + PANEL_GAP) - PANEL_GAP + BOTTOM;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n",
                LEFT, escape(title)));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"38\" fill=\"#444\">%s</text>%n", LEFT,
                escape(subtitle)));
        for (int p = 0; p < panels.size(); p++) {
            Panel panel = panels.get(p);
            int top = TOP + p * (PANEL_HEIGHT + PANEL_GAP);
            int bottom = top + PANEL_HEIGHT;
            double yMax = 0;
            for (Series s : panel.series()) {
                for (double y : s.y()) {
                    if (!Double.isNaN(y)) {
                        yMax = Math.max(yMax, y);
                    }
                }
            }
            double yTop = niceCeiling(yMax <= 0 ? 1 : yMax);
            // Title and legend above the panel.
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s (%s)</text>%n",
                    LEFT, top - 8, escape(panel.title()), escape(panel.unit())));
            int legendX = LEFT + 12 + 7 * (panel.title().length() + panel.unit().length() + 3);
            for (Series s : panel.series()) {
                svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"3\" fill=\"%s\"/>"
                        + "<text x=\"%d\" y=\"%d\" fill=\"#333\">%s</text>%n", legendX, top - 13, s.color(),
                        legendX + 18, top - 8, escape(s.label())));
                legendX += 30 + 6 * s.label().length();
            }
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                    + "stroke=\"#999\"/>%n", LEFT, top, plotWidth, PANEL_HEIGHT));
            // Horizontal grid and y labels.
            for (int k = 0; k <= 4; k++) {
                double value = yTop * k / 4;
                double y = bottom - PANEL_HEIGHT * k / 4.0;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                        + "stroke=\"#e5e5e5\"/>%n", LEFT, y, LEFT + plotWidth, y));
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">"
                        + "%s</text>%n", LEFT - 6, y + 4, label(value)));
            }
            // Vertical grid at the x ticks.
            for (int k = 0; k <= xTicks; k++) {
                double x = LEFT + plotWidth * k / (double) xTicks;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        + "stroke=\"#f0f0f0\"/>%n", x, top, x, bottom));
            }
            for (Event e : events) {
                double x = LEFT + plotWidth * e.x() / xTop;
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
                        + "stroke=\"#555\" stroke-dasharray=\"3,3\"/>%n", x, top, x, bottom));
            }
            for (Series s : panel.series()) {
                for (String points : polylines(s, xTop, yTop, plotWidth, bottom)) {
                    svg.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                            + "points=\"%s\"/>%n", s.color(), points));
                }
            }
        }
        // Event labels at the top of the first panel, x axis at the bottom of the last.
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            double x = LEFT + plotWidth * e.x() / xTop;
            int y = TOP - 24 - (i % 2) * 10; // alternate heights, so neighbouring labels overlap less
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#555\" "
                    + "transform=\"rotate(-30 %.1f %d)\">%s</text>%n", x + 2, y, x + 2, y, escape(e.label())));
        }
        int axisY = TOP + panels.size() * (PANEL_HEIGHT + PANEL_GAP) - PANEL_GAP;
        for (int k = 0; k <= xTicks; k++) {
            double x = LEFT + plotWidth * k / (double) xTicks;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">"
                    + "%s</text>%n", x, axisY + 16, label(xStep * k)));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">seconds "
                + "since the scenario started</text>%n", LEFT + plotWidth / 2, axisY + 36));
        svg.append("</svg>\n");
        return svg.toString();
    }

    /** The series' points in SVG coordinates, one string per unbroken run. */
    private static List<String> polylines(Series s, double xTop, double yTop, int plotWidth, int bottom) {
        List<String> runs = new ArrayList<>();
        StringBuilder run = new StringBuilder();
        int points = 0;
        for (int i = 0; i < s.x().length; i++) {
            double y = s.y()[i];
            if (Double.isNaN(y)) {
                if (points > 0) {
                    runs.add(run.toString());
                }
                run.setLength(0);
                points = 0;
                continue;
            }
            double px = LEFT + plotWidth * s.x()[i] / xTop;
            double py = bottom - PANEL_HEIGHT * Math.min(y, yTop) / yTop;
            run.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
            points++;
        }
        if (points > 0) {
            runs.add(run.toString());
        }
        // A lone point would not show as a polyline: draw it as a tiny segment.
        List<String> shown = new ArrayList<>();
        for (String r : runs) {
            String trimmed = r.trim();
            shown.add(trimmed.contains(" ") ? trimmed : trimmed + " " + trimmed);
        }
        return shown;
    }

    /** 1, 2 or 5 times a power of ten, at least {@code value}. */
    static double niceCeiling(double value) {
        double power = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * power >= value) {
                return step * power;
            }
        }
        return 10 * power;
    }

    private static String label(double value) {
        double abs = Math.abs(value);
        if (abs >= 1e6) {
            return trim(String.format(Locale.ROOT, "%.2f", value / 1e6)) + "M";
        }
        if (abs >= 1e4) {
            return trim(String.format(Locale.ROOT, "%.1f", value / 1e3)) + "k";
        }
        return trim(String.format(Locale.ROOT, "%.2f", value));
    }

    private static String trim(String number) {
        if (!number.contains(".")) {
            return number;
        }
        String t = number.replaceAll("0+$", "");
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
