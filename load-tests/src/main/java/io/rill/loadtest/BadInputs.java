package io.rill.loadtest;

import io.rill.text.RejectReason;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * The bad input of the "bad input at volume" scenario, each value with what rill must say about it. Text records
 * cycle through every reject reason, each in several shapes (tombstones and white space; random bytes, truncated
 * characters, overlong forms, encoded surrogates and stray continuation bytes; records just over the size limit and a
 * few of megabytes; C0 and C1 control characters, CR and DEL). Generation requests cycle through every error code a
 * request can earn on its own (everything but {@code internal}): unreadable bytes, NaN and Infinity, truncated JSON,
 * deep nesting, payloads over the limit (some of 10 MB), values that are not objects, unknown and repeated fields,
 * every field with a wrong type or out of range, unknown models and prefix characters no model has seen.
 */
final class BadInputs {

    /** A bad text record: its value (null is a tombstone) and the reason rill must give. */
    record BadRecord(byte[] value, RejectReason reason) {
    }

    /** A bad generation request: its value (null is a tombstone) and the error code of its reply. */
    record BadRequest(byte[] value, String code) {
    }

    /** Kinds of bad request; {@link #request} cycles through them. */
    static final int REQUEST_KINDS = 24;

    private final int maxRecordBytes;
    private final int maxRequestBytes;
    private final Random random;

    BadInputs(int maxRecordBytes, int maxRequestBytes, long seed) {
        this.maxRecordBytes = maxRecordBytes;
        this.maxRequestBytes = maxRequestBytes;
        this.random = new Random(seed);
    }

    /** Bad record number {@code i}: reasons in turn, and within a reason its shapes in turn. */
    BadRecord record(int i) {
        RejectReason[] reasons = RejectReason.values();
        RejectReason reason = reasons[i % reasons.length];
        int shape = i / reasons.length;
        return new BadRecord(switch (reason) {
            case NULL_VALUE -> null;
            case EMPTY -> switch (shape % 3) {
                case 0 -> new byte[0];
                case 1 -> " ".getBytes(StandardCharsets.US_ASCII);
                default -> " \n\t\n  ".repeat(1 + random.nextInt(50)).getBytes(StandardCharsets.US_ASCII);
            };
            case MALFORMED_UTF8 -> malformed(shape, i);
            case TOO_LARGE -> {
                // Valid text, so the size is the only thing wrong; one in 250 is of megabytes.
                int size = shape % 250 == 0 ? 2 * 1024 * 1024 + random.nextInt(1024)
                        : maxRecordBytes + 1 + random.nextInt(4 * 1024);
                byte[] text = new byte[size];
                for (int b = 0; b < size; b++) {
                    text[b] = (byte) (b % 61 == 60 ? ' ' : 'a' + random.nextInt(26));
                }
                yield text;
            }
            case CONTROL_CHARACTER -> {
                String[] controls = {"\u0000", "\u0001", "\u0007", "\u000B", "\u000C", "\r", "\u001B", "\u007F",
                        "\u0085", "\u009B"};
                String control = controls[shape % controls.length];
                yield ("call me Ishmael " + i + control + " some years ago").getBytes(StandardCharsets.UTF_8);
            }
        }, reason);
    }

    private byte[] malformed(int shape, int i) {
        byte[] text = ("whale " + i + " ").getBytes(StandardCharsets.UTF_8);
        return switch (shape % 5) {
            case 0 -> {
                // Random bytes with one that never occurs in UTF-8, and no ASCII control byte: rill reports a control
                // character met before the first non-ASCII byte as control-character (its ASCII fast path), so a
                // record with both faults would be counted under either reason depending on their order.
                byte[] bytes = new byte[1 + random.nextInt(400)];
                random.nextBytes(bytes);
                for (int b = 0; b < bytes.length; b++) {
                    if (bytes[b] >= 0 && (bytes[b] < 0x20 || bytes[b] == 0x7F)) {
                        bytes[b] = (byte) (bytes[b] | 0x80);
                    }
                }
                bytes[random.nextInt(bytes.length)] = (byte) 0xFF;
                yield bytes;
            }
            case 1 -> concat(text, new byte[] {(byte) 0xE2, (byte) 0x82}); // a three-byte character cut short
            case 2 -> concat(text, new byte[] {(byte) 0xC0, (byte) 0xAF}); // overlong '/'
            case 3 -> concat(text, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // an encoded surrogate
            default -> concat(new byte[] {(byte) 0x80}, text); // a stray continuation byte
        };
    }

    /** Bad request number {@code i}: the kinds in turn. */
    BadRequest request(int i) {
        String id = "\"id\":\"bad-" + i + "\"";
        int kind = i % REQUEST_KINDS;
        return switch (kind) {
            case 0 -> {
                byte[] bytes = new byte[1 + random.nextInt(200)];
                random.nextBytes(bytes);
                bytes[0] = (byte) 0xFF;
                yield new BadRequest(bytes, "malformed-utf8");
            }
            case 1 -> json("{" + id + ",\"temperature\":NaN}", "not-json");
            case 2 -> json("{" + id + ",\"temperature\":-Infinity}", "not-json");
            case 3 -> json("{" + id + ",\"count\":", "not-json");
            case 4 -> json("{" + id + ",\"count\":\"ten\"}", "bad-count");
            case 5 -> json("{" + id + ",\"count\":" + (101 + random.nextInt(1000)) + "}", "bad-count");
            case 6 -> json("{" + id + ",\"temperature\":" + (random.nextBoolean() ? "0" : "-1.5") + "}",
                    "bad-temperature");
            case 7 -> json("[".repeat(33 + random.nextInt(300)) + "]".repeat(1), "too-large");
            case 8 -> {
                // Over the request limit: usually just over, one in 100 of 10 MB.
                int size = (i / REQUEST_KINDS) % 100 == 0 ? 10 * 1024 * 1024 : maxRequestBytes + 1 + random.nextInt(512);
                String prefix = "{" + id + ",\"prefix\":\"";
                yield json(prefix + "a".repeat(size - prefix.length() - 2) + "\"}", "too-large");
            }
            case 9 -> json("{" + id + ",\"prefix\":7}", "bad-prefix");
            case 10 -> json("{" + id + ",\"model\":\"poems-" + random.nextInt(1000) + "\"}", "unknown-model");
            case 11 -> json("{" + id + ",\"maxLength\":1e9}", "bad-max-length");
            case 12 -> json(random.nextBoolean() ? "\"just a string\"" : "[1, 2, 3]", "not-an-object");
            case 13 -> json("{" + id + ",\"novelOnly\":\"yes\"}", "bad-novel-only");
            case 14 -> json("{" + id + ",\"topK\":-" + (1 + random.nextInt(9)) + "}", "bad-top-k");
            case 15 -> json("{" + id + ",\"colour\":\"red\"}", "unknown-field");
            case 16 -> json("{\"id\":" + random.nextInt(1000) + "}", "bad-id");
            case 17 -> json("{\"id\":\"" + "x".repeat(201) + "\"}", "bad-id");
            case 18 -> json("{" + id + ",\"model\":5}", "bad-model");
            case 19 -> new BadRequest(null, "empty");
            case 20 -> json("  \n\t ", "empty");
            case 21 -> json("{" + id + ",\"prefix\":\"\u2603\u2602\"}", "unknown-characters");
            case 22 -> json("{" + id + ",\"count\":2,\"count\":3}", "bad-count");
            default -> json("{" + id + ",\"temperature\":null}", "bad-temperature");
        };
    }

    private static BadRequest json(String text, String code) {
        return new BadRequest(text.getBytes(StandardCharsets.UTF_8), code);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
