package io.rill.loadtest;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;

/**
 * What a fault scenario looked like over time, sampled every second from every side: the broker (end and committed
 * offsets), the node (records taken in, heap used and its limit, the last checkpoint's sequence, over JMX) and the
 * producer (records acknowledged); a side that cannot be read leaves -1. Events (a kill, the broker going away) are
 * marked when they happen. It draws itself as a plain SVG chart: panels on one time axis, events as dashed lines.
 */
final class Timeline implements AutoCloseable {

    /** One sample, {@code t} seconds after the start; offsets summed over the watched partitions. */
    record Sample(double t, long produced, long ends, long committed, long recordsIn, long heapUsed, long heapMax,
                  long checkpoint) {

        /** End offsets less committed: the consumer lag. */
        long lag() {
            return ends < 0 || committed < 0 ? -1 : ends - committed;
        }

        /** End offsets less taken in: how far behind the learners are. */
        long backlog() {
            return ends < 0 || recordsIn < 0 ? -1 : Math.max(0, ends - recordsIn);
        }
    }

    record Event(double t, String label) {
    }

    private final long start = System.nanoTime();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Admin admin;
    private final String group;
    private final List<TopicPartition> partitions;
    private final Supplier<Node> node;
    private final LongSupplier produced;
    private final Thread thread;
    private volatile boolean running = true;

    Timeline(Admin admin, String group, List<TopicPartition> partitions, Supplier<Node> node, LongSupplier produced) {
        this.admin = admin;
        this.group = group;
        this.partitions = List.copyOf(partitions);
        this.node = node;
        this.produced = produced;
        this.thread = new Thread(() -> {
            try {
                while (running) {
                    long next = System.nanoTime() + 1_000_000_000L;
                    samples.add(sample());
                    Thread.sleep(Math.max(0, (next - System.nanoTime()) / 1_000_000));
                }
            } catch (InterruptedException e) {
                // closed
            }
        }, "timeline");
        thread.setDaemon(true);
        thread.start();
    }

    double now() {
        return (System.nanoTime() - start) / 1e9;
    }

    void event(String label) {
        events.add(new Event(now(), label));
    }

    Sample sample() {
        double t = now();
        long producedNow = produced.getAsLong();
        long[] n = {-1, -1, -1, -1, -1}; // taken in, heap used, heap max, checkpoint; ends, committed below
        Node current = node.get();
        try {
            n[0] = current.streams().isEmpty() ? -1 : current.recordsIn(null);
            long[] heap = current.heap();
            n[1] = heap[0];
            n[2] = heap[1];
            n[3] = current.num(Node.CHECKPOINTS, "LastSequence");
        } catch (Exception e) {
            // no node, gone or not up yet
        }
        long[] offsets = {-1, -1};
        try {
            offsets = new long[] {Kafka.sum(Kafka.ends(admin, partitions)), Kafka.committed(admin, group, partitions)
                    .values().stream().mapToLong(v -> Math.max(0, v)).sum()};
        } catch (Exception e) {
            // the broker is down
        }
        return new Sample(t, producedNow, offsets[0], offsets[1], n[0], n[1], n[2], n[3]);
    }

    List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The largest value of {@code field} over the samples from {@code from} to {@code to} seconds, or -1. */
    long max(ToLongFunction<Sample> field, double from, double to) {
        return samples.stream().filter(s -> s.t() >= from && s.t() <= to).mapToLong(field).max().orElse(-1);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(10_000);
    }

    // ---- the chart ---------------------------------------------------------------------------------------------

    private static final int WIDTH = 960;
    private static final int LEFT = 80;
    private static final int TOP = 116;
    private static final int HEIGHT = 150;
    private static final int GAP = 56;

    private record Series(String label, String color, ToDoubleFunction<Integer> y) {
    }

    /**
     * Writes the chart: records/s taken in and acknowledged, lag and backlog, heap used against its limit, and with
     * {@code checkpoints} the checkpoint sequence; events as labelled dashed lines.
     */
    void chart(Path file, String title, String subtitle, boolean checkpoints) throws java.io.IOException {
        List<Sample> all = samples();
        ToDoubleFunction<Integer> inRate = i -> i == 0 || all.get(i).recordsIn() < 0 || all.get(i - 1).recordsIn() < 0
                || all.get(i).recordsIn() < all.get(i - 1).recordsIn() ? Double.NaN // a restart counts again
                : (all.get(i).recordsIn() - all.get(i - 1).recordsIn()) / (all.get(i).t() - all.get(i - 1).t());
        ToDoubleFunction<Integer> ackRate = i -> i == 0 ? Double.NaN
                : (all.get(i).produced() - all.get(i - 1).produced()) / (all.get(i).t() - all.get(i - 1).t());
        List<List<Series>> panels = new ArrayList<>(List.of(
                List.of(new Series("throughput (records/s): taken in by rill", "#1f77b4", inRate),
                        new Series("acknowledged to the producer", "#ff7f0e", ackRate)),
                List.of(new Series("lag (records): end offsets - committed", "#d62728", i -> nan(all.get(i).lag())),
                        new Series("end offsets - taken in", "#9467bd", i -> nan(all.get(i).backlog()))),
                List.of(new Series("heap (MiB): used", "#2ca02c", i -> nan(all.get(i).heapUsed()) / Machine.MIB),
                        new Series("limit (max)", "#7f7f7f", i -> nan(all.get(i).heapMax()) / Machine.MIB))));
        if (checkpoints) {
            panels.add(List.of(new Series("checkpoints: last sequence written", "#8c564b",
                    i -> nan(all.get(i).checkpoint()))));
        }
        double xMax = Math.max(1, Math.max(all.isEmpty() ? 0 : all.get(all.size() - 1).t(),
                events.stream().mapToDouble(Event::t).max().orElse(0)));
        double step = nice(xMax / 10);
        int ticks = (int) Math.ceil(xMax / step - 1e-9);
        double xTop = step * ticks;
        int plot = WIDTH - LEFT - 24;
        int height = TOP + panels.size() * (HEIGHT + GAP) - GAP + 48;
        StringBuilder svg = new StringBuilder(f("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n<rect width=\"%d\" height=\"%d\" "
                + "fill=\"white\"/>%n<text x=\"%d\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>%n<text "
                + "x=\"%d\" y=\"38\" fill=\"#444\">%s</text>%n", WIDTH, height, WIDTH, height, WIDTH, height, LEFT,
                esc(title), LEFT, esc(subtitle)));
        for (int p = 0; p < panels.size(); p++) {
            int top = TOP + p * (HEIGHT + GAP);
            int bottom = top + HEIGHT;
            double yMax = 0;
            for (Series s : panels.get(p)) {
                for (int i = 0; i < all.size(); i++) {
                    double y = s.y().applyAsDouble(i);
                    yMax = Double.isNaN(y) ? yMax : Math.max(yMax, y);
                }
            }
            double yTop = nice(yMax <= 0 ? 1 : yMax);
            int legend = LEFT;
            for (Series s : panels.get(p)) {
                svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" "
                        + "fill=\"#333\">%s</text>%n", legend, top - 13, s.color(), legend + 18, top - 8, esc(s.label())));
                legend += 40 + 6 * s.label().length();
            }
            svg.append(f("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n", LEFT,
                    top, plot, HEIGHT));
            for (int k = 0; k <= 4; k++) {
                double y = bottom - HEIGHT * k / 4.0;
                svg.append(f("<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e5e5e5\"/><text x=\"%d\" "
                        + "y=\"%.1f\" text-anchor=\"end\" fill=\"#333\">%s</text>%n", LEFT, y, LEFT + plot, y, LEFT - 6,
                        y + 4, label(yTop * k / 4)));
            }
            for (Event e : events) {
                double x = LEFT + plot * e.t() / xTop;
                svg.append(f("<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" stroke-dasharray=\"3,3\"/>"
                        + "%n", x, top, x, bottom));
            }
            for (Series s : panels.get(p)) {
                StringBuilder run = new StringBuilder();
                for (int i = 0; i <= all.size(); i++) {
                    double y = i < all.size() ? s.y().applyAsDouble(i) : Double.NaN;
                    if (Double.isNaN(y)) { // a gap: a node that was down
                        if (!run.isEmpty()) {
                            String points = run.toString().trim();
                            svg.append(f("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"%s\"/>%n",
                                    s.color(), points.contains(" ") ? points : points + " " + points));
                        }
                        run.setLength(0);
                    } else {
                        run.append(f("%.1f,%.1f ", LEFT + plot * all.get(i).t() / xTop,
                                bottom - HEIGHT * Math.min(y, yTop) / yTop));
                    }
                }
            }
        }
        for (int i = 0; i < events.size(); i++) {
            double x = LEFT + plot * events.get(i).t() / xTop + 2;
            int y = TOP - 24 - (i % 2) * 10;
            svg.append(f("<text x=\"%.1f\" y=\"%d\" font-size=\"9\" fill=\"#555\" transform=\"rotate(-30 %.1f %d)\">%s"
                    + "</text>%n", x, y, x, y, esc(events.get(i).label())));
        }
        int axis = TOP + panels.size() * (HEIGHT + GAP) - GAP;
        for (int k = 0; k <= ticks; k++) {
            svg.append(f("<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">%s</text>%n",
                    LEFT + plot * k / (double) ticks, axis + 16, label(step * k)));
        }
        svg.append(f("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"#333\">seconds since the scenario started"
                + "</text>%n</svg>%n", LEFT + plot / 2, axis + 36));
        Files.writeString(file, svg.toString());
    }

    private static double nan(long v) {
        return v < 0 ? Double.NaN : v;
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code v}. */
    private static double nice(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5}) {
            if (m * power >= v) {
                return m * power;
            }
        }
        return 10 * power;
    }

    private static String label(double v) {
        String s = Math.abs(v) >= 1e6 ? f("%.2fM", v / 1e6) : Math.abs(v) >= 1e4 ? f("%.1fk", v / 1e3) : f("%.2f", v);
        return s.replaceAll("\\.?0+([Mk]?)$", "$1");
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static String esc(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
