package io.rill.skipgram.query;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a {@link PcaProjection} as a standalone SVG picture: a point and a label per word, framed
 * axes with ticks, dashed lines through the mean (the origin of the projection), a title, a legend
 * with the share of variance each axis explains, optional arrows between pairs of words (country →
 * capital), and a note listing the chosen words that were not in the vocabulary.
 *
 * <p>Both axes use the same scale, so distances and angles in the picture are those of the
 * projection: parallel, equal arrows mean the same offset. The SVG is plain text built here, with
 * every word and the title escaped for XML, so it needs no library and opens in any browser.
 */
public final class EmbeddingPlot {
    private static final int WIDTH = 960, HEIGHT = 720;
    private static final int LEFT = 80, RIGHT = 30, TOP = 64, BOTTOM = 96;
    private static final double LABEL_CHAR_PX = 7.5; // rough width of one label character at 13px

    /** An arrow from one projected word to another; pairs naming a word not projected are not drawn. */
    public record Link(String from, String to) {
    }

    private EmbeddingPlot() {
    }

    /** Writes {@link #svg} to {@code path} atomically. */
    public static void write(Path path, PcaProjection projection, String title, List<Link> links) throws IOException {
        byte[] bytes = svg(projection, title, links).getBytes(StandardCharsets.UTF_8);
        AtomicWrite.write(path, out -> out.write(bytes));
    }

    /** The picture as an SVG document. */
    public static String svg(PcaProjection projection, String title, List<Link> links) {
        List<String> words = projection.words();
        int n = words.size();
        double plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;

        // Data bounds, widened on the right by the longest label so that labels stay inside the frame.
        double minX = Double.POSITIVE_INFINITY, maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY, maxY = Double.NEGATIVE_INFINITY;
        int longest = 0;
        for (int i = 0; i < n; i++) {
            minX = Math.min(minX, projection.x(i));
            maxX = Math.max(maxX, projection.x(i));
            minY = Math.min(minY, projection.y(i));
            maxY = Math.max(maxY, projection.y(i));
            longest = Math.max(longest, words.get(i).length());
        }
        double spanX = maxX - minX, spanY = maxY - minY;
        double span = Math.max(Math.max(spanX, spanY), 1e-12);
        double labelPx = 10 + longest * LABEL_CHAR_PX;
        // One scale for both axes: 10% padding around the points, room for labels on the right.
        double scale = Math.min((plotW - labelPx) / (Math.max(spanX, 1e-3 * span) * 1.2),
                plotH / (Math.max(spanY, 1e-3 * span) * 1.2));
        double x0 = (minX + maxX) / 2 - (plotW - labelPx) / scale / 2; // data x at the left edge
        double y0 = (minY + maxY) / 2 - plotH / scale / 2;             // data y at the bottom edge
        Frame f = new Frame(x0, y0, scale, plotW, plotH);

        StringBuilder s = new StringBuilder(8192 + 300 * n);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
         .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
         .append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
         .append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
         .append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" ")
         .append("markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#9a9a9a\"/>")
         .append("</marker></defs>\n")
         .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, WIDTH / 2.0, 36, "middle", 20, "bold", title);

        axes(s, f);
        s.append("<g id=\"links\" stroke=\"#9a9a9a\" stroke-width=\"1.3\" fill=\"none\">\n");
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < n; i++) row.put(words.get(i), i);
        for (Link link : links) {
            Integer a = row.get(link.from()), b = row.get(link.to());
            if (a == null || b == null || a.equals(b)) continue;
            double ax = f.px(projection.x(a)), ay = f.py(projection.y(a));
            double bx = f.px(projection.x(b)), by = f.py(projection.y(b));
            double len = Math.hypot(bx - ax, by - ay), stop = Math.min(6, len / 2); // end short of the dot
            s.append("<line x1=\"").append(num(ax)).append("\" y1=\"").append(num(ay))
             .append("\" x2=\"").append(num(bx - (bx - ax) / len * stop)).append("\" y2=\"")
             .append(num(by - (by - ay) / len * stop)).append("\" marker-end=\"url(#arrow)\"/>\n");
        }
        s.append("</g>\n<g id=\"points\" fill=\"#1f5fa8\">\n");
        for (int i = 0; i < n; i++) {
            s.append("<circle cx=\"").append(num(f.px(projection.x(i)))).append("\" cy=\"")
             .append(num(f.py(projection.y(i)))).append("\" r=\"4\"/>\n");
        }
        // Labels after all points, with a white halo that keeps them legible over lines.
        s.append("</g>\n<g id=\"labels\" font-size=\"13\" fill=\"#111\" stroke=\"white\" stroke-width=\"3\" ")
         .append("paint-order=\"stroke\">\n");
        for (int i = 0; i < n; i++) {
            s.append("<text x=\"").append(num(f.px(projection.x(i)) + 7)).append("\" y=\"")
             .append(num(f.py(projection.y(i)) + 4)).append("\">").append(escape(words.get(i))).append("</text>\n");
        }
        s.append("</g>\n");

        legend(s, projection);
        if (!projection.skipped().isEmpty()) {
            text(s, LEFT, HEIGHT - 16, "start", 12, "normal",
                    "not in the vocabulary: " + String.join(", ", projection.skipped()));
        }
        return s.append("</svg>\n").toString();
    }

    /** Maps projection coordinates to pixels: one scale for both axes, y growing upwards. */
    private record Frame(double x0, double y0, double scale, double plotW, double plotH) {
        double px(double x) {
            return LEFT + (x - x0) * scale;
        }

        double py(double y) {
            return TOP + plotH - (y - y0) * scale;
        }

        double x1() {
            return x0 + plotW / scale;
        }

        double y1() {
            return y0 + plotH / scale;
        }
    }

    private static void axes(StringBuilder s, Frame f) {
        double right = LEFT + f.plotW(), bottom = TOP + f.plotH();
        s.append("<g id=\"axes\" font-size=\"11\" fill=\"#444\">\n");
        // the mean of the chosen vectors is the origin of the projection
        if (f.x0() < 0 && 0 < f.x1()) dashed(s, f.px(0), TOP, f.px(0), bottom);
        if (f.y0() < 0 && 0 < f.y1()) dashed(s, LEFT, f.py(0), right, f.py(0));
        s.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(num(f.plotW()))
         .append("\" height=\"").append(num(f.plotH())).append("\" fill=\"none\" stroke=\"#444\"/>\n");
        double step = niceStep(Math.max(f.x1() - f.x0(), f.y1() - f.y0()) / 8);
        for (long k = (long) Math.ceil(f.x0() / step); k * step <= f.x1(); k++) { // whole steps: no drift
            double t = k * step, px = f.px(t);
            tick(s, px, bottom, px, bottom + 5);
            text(s, px, bottom + 18, "middle", 11, "normal", tickLabel(t, step));
        }
        for (long k = (long) Math.ceil(f.y0() / step); k * step <= f.y1(); k++) {
            double t = k * step, py = f.py(t);
            tick(s, LEFT - 5, py, LEFT, py);
            text(s, LEFT - 8, py + 4, "end", 11, "normal", tickLabel(t, step));
        }
        text(s, LEFT + f.plotW() / 2, bottom + 40, "middle", 13, "normal", "first principal component (PC1)");
        s.append("<text transform=\"translate(22,").append(num(TOP + f.plotH() / 2))
         .append(") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">second principal component (PC2)</text>\n");
        s.append("</g>\n");
    }

    private static void legend(StringBuilder s, PcaProjection p) {
        double w = 230, h = 62, x = WIDTH - RIGHT - w - 10, y = TOP + 10;
        s.append("<g id=\"legend\">\n<rect x=\"").append(num(x)).append("\" y=\"").append(num(y))
         .append("\" width=\"").append(num(w)).append("\" height=\"").append(num(h))
         .append("\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#888\"/>\n");
        text(s, x + 10, y + 20, "start", 12, "bold", "share of variance explained");
        for (int c = 0; c < 2; c++) {
            text(s, x + 10, y + 38 + 16 * c, "start", 12, "normal",
                    String.format(Locale.ROOT, "PC%d: %.1f%%", c + 1, 100 * p.explainedVariance(c)));
        }
        s.append("</g>\n");
    }

    private static void dashed(StringBuilder s, double x1, double y1, double x2, double y2) {
        line(s, x1, y1, x2, y2).append(" stroke=\"#bbb\" stroke-dasharray=\"4 4\"/>\n");
    }

    private static void tick(StringBuilder s, double x1, double y1, double x2, double y2) {
        line(s, x1, y1, x2, y2).append(" stroke=\"#444\"/>\n");
    }

    private static StringBuilder line(StringBuilder s, double x1, double y1, double x2, double y2) {
        return s.append("<line x1=\"").append(num(x1)).append("\" y1=\"").append(num(y1)).append("\" x2=\"")
                .append(num(x2)).append("\" y2=\"").append(num(y2)).append('"');
    }

    private static void text(StringBuilder s, double x, double y, String anchor, int size, String weight, String content) {
        s.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"")
         .append(anchor).append("\" font-size=\"").append(size).append("\" font-weight=\"").append(weight)
         .append("\">").append(escape(content)).append("</text>\n");
    }

    /** 1, 2 or 5 times a power of ten, at least {@code rough}. */
    static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        for (double m : new double[] {1, 2, 5}) if (m * power >= rough) return m * power;
        return 10 * power;
    }

    private static String tickLabel(double t, double step) {
        int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        return String.format(Locale.ROOT, "%." + decimals + "f", Math.abs(t) < step / 2 ? 0 : t); // never "-0"
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** Escapes XML's special characters and replaces characters XML 1.0 cannot hold with U+FFFD. */
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
