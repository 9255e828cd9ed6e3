package io.rill.ops;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The training-curve files: one CSV per model bean, a header {@code time,<Attribute>,<Attribute>,...} (the bean's
 * numeric JMX attributes, sorted by name) and one row per sample: the time in ISO-8601 UTC to the millisecond, then each value (whole
 * numbers as such, others as the shortest decimal that reads back the same; an empty cell for NaN). pandas, R and
 * spreadsheets read it as it is; {@link ProgressPlot} draws it.
 */
public final class ProgressCsv {

    private static final Pattern COMMA = Pattern.compile(",");

    private ProgressCsv() {
    }

    /** A read file: column names (without {@code time}), the times, and the values by row (NaN: missing). */
    public record Table(List<String> columns, List<Instant> times, List<double[]> rows) {

        public int column(String name) {
            return columns.indexOf(name);
        }

        /** One column's values over the rows. */
        public double[] values(int column) {
            double[] values = new double[rows.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = rows.get(i)[column];
            }
            return values;
        }
    }

    public static String header(List<MeterBridge.Attribute> attributes) {
        StringBuilder s = new StringBuilder("time");
        attributes.forEach(a -> s.append(',').append(a.name()));
        return s.toString();
    }

    /** The row of {@code bean}'s attributes read now, stamped {@code time}. */
    public static String row(Instant time, Object bean, List<MeterBridge.Attribute> attributes) {
        StringBuilder s = new StringBuilder(32 + 12 * attributes.size())
                .append(time.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        for (MeterBridge.Attribute attribute : attributes) {
            s.append(',').append(format(attribute.read(bean), attribute.integral()));
        }
        return s.toString();
    }

    static String format(double value, boolean integral) {
        if (Double.isNaN(value)) {
            return "";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        if (integral && Math.rint(value) == value && Math.abs(value) < 1e18) {
            return Long.toString((long) value);
        }
        return Double.toString(value).toLowerCase(Locale.ROOT).replace("e", "E");
    }

    /** Reads a file this class wrote (or any CSV with a {@code time} column first and numbers after). */
    public static Table read(Reader reader) throws IOException {
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        String header = in.readLine();
        if (header == null || !header.startsWith("time")) {
            throw new IOException("not a training-curve file: its first line should start with \"time,\"");
        }
        String[] names = COMMA.split(header.strip(), -1);
        List<String> columns = List.copyOf(Arrays.asList(names).subList(1, names.length));
        List<Instant> times = new ArrayList<>();
        List<double[]> rows = new ArrayList<>();
        String line;
        int lineNumber = 1;
        while ((line = in.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            String[] cells = COMMA.split(line.strip(), -1);
            try {
                times.add(Instant.parse(cells[0]));
            } catch (DateTimeParseException e) {
                throw new IOException("line " + lineNumber + ": not an ISO-8601 time: " + cells[0]);
            }
            double[] values = new double[columns.size()];
            for (int c = 0; c < values.length; c++) {
                String cell = c + 1 < cells.length ? cells[c + 1].strip() : "";
                try {
                    values[c] = cell.isEmpty() ? Double.NaN : Double.parseDouble(cell);
                } catch (NumberFormatException e) {
                    values[c] = Double.NaN; // a column that is not numeric is not drawn
                }
            }
            rows.add(values);
        }
        return new Table(columns, List.copyOf(times), List.copyOf(rows));
    }
}
