package io.rill.translate;

import java.util.List;
import java.util.Locale;

/**
 * An attention map drawn for people, in two ways, from a {@link TranslatedSentence}: source words along the top,
 * target words down the side, one cell per (target word, source word) shaded by its weight, from white (0) to black
 * (1), as in the lecture's pictures.
 * <ul>
 *   <li>{@link #grid}: text for a terminal, each cell filled with one of the block characters {@code ░▒▓█} (or
 *       blank below 0.1) and, with {@code numbers}, the weight;</li>
 *   <li>{@link #svg}: a standalone SVG picture (plain text built here, every word escaped for XML), with the weights
 *       written in the cells, a title and a grey-scale key: it opens in any browser.</li>
 * </ul>
 */
public final class AttentionPicture {

    private static final char[] SHADES = {' ', '░', '▒', '▓', '█'};
    private static final int CELL = 46;
    private static final double CHAR_PX = 7.6; // rough width of a 13px label character

    private AttentionPicture() {
    }

    /** The shade of a weight: blank below 0.1, then ░ ▒ ▓ █ in steps of about a quarter. */
    static char shade(double weight) {
        if (!(weight >= 0.1)) {
            return SHADES[0];
        }
        return SHADES[Math.min(4, 1 + (int) ((weight - 0.1) / 0.225))];
    }

    /** The map as lines of text: a header of source words, then one row per target word. */
    public static String grid(TranslatedSentence sentence, boolean numbers) {
        List<String> source = sentence.sourceTokens();
        List<String> target = sentence.targetTokens();
        int side = 4;
        for (String word : target) {
            side = Math.max(side, width(word));
        }
        int[] widths = new int[source.size()];
        for (int j = 0; j < widths.length; j++) {
            widths[j] = Math.max(numbers ? 4 : 3, width(source.get(j)));
        }
        StringBuilder out = new StringBuilder();
        out.append(" ".repeat(side)).append(" │");
        for (int j = 0; j < widths.length; j++) {
            out.append(' ').append(pad(source.get(j), widths[j]));
        }
        out.append('\n').append("─".repeat(side)).append("─┼");
        for (int width : widths) {
            out.append("─".repeat(width + 1));
        }
        out.append('\n');
        for (int i = 0; i < target.size(); i++) {
            out.append(padLeft(target.get(i), side)).append(" │");
            for (int j = 0; j < widths.length; j++) {
                double w = sentence.attention()[i][j];
                String cell = numbers ? String.format(Locale.ROOT, "%.2f", w)
                        : String.valueOf(shade(w)).repeat(widths[j]);
                if (numbers) {
                    cell = String.valueOf(shade(w)).repeat(Math.max(0, widths[j] - cell.length())) + cell;
                }
                out.append(' ').append(cell);
            }
            out.append('\n');
        }
        return out.toString();
    }

    /** The map as an SVG document, titled {@code title} (null: the source and the translation). */
    public static String svg(TranslatedSentence sentence, String title) {
        List<String> source = sentence.sourceTokens();
        List<String> target = sentence.targetTokens();
        double longestTarget = 0;
        for (String word : target) {
            longestTarget = Math.max(longestTarget, width(word) * CHAR_PX);
        }
        double longestSource = 0;
        for (String word : source) {
            longestSource = Math.max(longestSource, width(word) * CHAR_PX);
        }
        String heading = title != null ? title
                : String.join(" ", source) + "  →  " + (target.isEmpty() ? "(nothing)" : String.join(" ", target));
        double left = Math.max(70, 24 + longestTarget);
        double top = 70 + Math.max(30, longestSource * 0.75);
        double gridWidth = CELL * source.size();
        double gridHeight = CELL * target.size();
        double keyTop = top + gridHeight + 40;
        double width = Math.max(left + gridWidth + 40, Math.max(360, 40 + heading.length() * 8.5));
        double height = keyTop + 56;

        StringBuilder s = new StringBuilder(4096);
        s.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(num(width))
                .append("\" height=\"").append(num(height)).append("\" viewBox=\"0 0 ").append(num(width)).append(' ')
                .append(num(height)).append("\" font-family=\"Helvetica, Arial, sans-serif\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        text(s, width / 2, 30, "middle", 17, "bold", heading, null);
        s.append("<g id=\"source\" font-size=\"13\" fill=\"#111\">\n");
        for (int j = 0; j < source.size(); j++) {
            double x = left + CELL * j + CELL / 2.0;
            s.append("<text transform=\"translate(").append(num(x)).append(',').append(num(top - 8))
                    .append(") rotate(-45)\" text-anchor=\"start\">").append(escape(source.get(j))).append("</text>\n");
        }
        s.append("</g>\n<g id=\"target\" font-size=\"13\" fill=\"#111\">\n");
        for (int i = 0; i < target.size(); i++) {
            text(s, left - 8, top + CELL * i + CELL / 2.0 + 4, "end", 13, "normal", target.get(i), null);
        }
        s.append("</g>\n<g id=\"cells\" font-size=\"11\">\n");
        for (int i = 0; i < target.size(); i++) {
            for (int j = 0; j < source.size(); j++) {
                double w = Math.max(0, Math.min(1, sentence.attention()[i][j]));
                double x = left + CELL * j;
                double y = top + CELL * i;
                s.append("<rect x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" width=\"")
                        .append(CELL).append("\" height=\"").append(CELL).append("\" fill=\"").append(grey(w))
                        .append("\" stroke=\"#ccc\" stroke-width=\"0.5\"><title>")
                        .append(escape(target.get(i) + " ← " + source.get(j)))
                        .append(String.format(Locale.ROOT, ": %.3f", w)).append("</title></rect>\n");
                text(s, x + CELL / 2.0, y + CELL / 2.0 + 4, "middle", 11, "normal",
                        String.format(Locale.ROOT, "%.2f", w), w > 0.55 ? "white" : "#333");
            }
        }
        s.append("</g>\n");
        s.append("<rect x=\"").append(num(left)).append("\" y=\"").append(num(top)).append("\" width=\"")
                .append(num(gridWidth)).append("\" height=\"").append(num(gridHeight))
                .append("\" fill=\"none\" stroke=\"#444\"/>\n");
        key(s, left, keyTop);
        return s.append("</svg>\n").toString();
    }

    /** A grey-scale key from 0 (white) to 1 (black). */
    private static void key(StringBuilder s, double x, double y) {
        s.append("<g id=\"key\" font-size=\"11\" fill=\"#333\">\n");
        int steps = 10;
        double w = 16;
        for (int k = 0; k <= steps; k++) {
            s.append("<rect x=\"").append(num(x + k * w)).append("\" y=\"").append(num(y)).append("\" width=\"")
                    .append(num(w)).append("\" height=\"12\" fill=\"").append(grey(k / (double) steps))
                    .append("\" stroke=\"#ccc\" stroke-width=\"0.5\"/>\n");
        }
        text(s, x, y + 26, "start", 11, "normal", "0", null);
        text(s, x + (steps + 1) * w, y + 26, "end", 11, "normal", "1", null);
        text(s, x + (steps + 1) * w + 10, y + 10, "start", 11, "normal",
                "attention weight of each target word (row) on each source word (column)", null);
        s.append("</g>\n");
    }

    private static String grey(double weight) {
        int level = (int) Math.round(255 * (1 - weight));
        return String.format(Locale.ROOT, "#%02x%02x%02x", level, level, level);
    }

    private static void text(StringBuilder s, double x, double y, String anchor, int size, String weight,
                             String content, String fill) {
        s.append("<text x=\"").append(num(x)).append("\" y=\"").append(num(y)).append("\" text-anchor=\"")
                .append(anchor).append("\" font-size=\"").append(size).append("\" font-weight=\"").append(weight)
                .append('"');
        if (fill != null) {
            s.append(" fill=\"").append(fill).append('"');
        }
        s.append('>').append(escape(content)).append("</text>\n");
    }

    private static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static int width(String word) {
        return word.codePointCount(0, word.length());
    }

    private static String pad(String word, int width) {
        return word + " ".repeat(Math.max(0, width - width(word)));
    }

    private static String padLeft(String word, int width) {
        return " ".repeat(Math.max(0, width - width(word))) + word;
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
