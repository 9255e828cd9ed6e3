package io.rill.request;

import com.fasterxml.jackson.core.JsonToken;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The fields of one request object as written, and typed reads of them that refuse a wrong type or a value out of
 * range with the field's own error code and a message that names the field, what was received and what is allowed.
 * A field left out reads as the given default.
 *
 * <p>Numbers for integer fields must be whole and fit in an int; a whole number written with a fraction or exponent
 * (10.0, 1e1) is accepted, because JSON itself does not tell integers from other numbers and some producers write all
 * numbers that way. JSON null is refused like any wrong type: leave a field out to get its default.
 */
public final class RequestFields {

    /** How much of a received value an error message repeats. */
    private static final int SHOWN_CODE_POINTS = 60;

    /** One field's value as written: its token and, for scalars, its text (numbers keep their literal). */
    record RawValue(JsonToken token, String text) {
    }

    /** A field's problem, carried out of the checks; no stack trace, it is not a failure of rill. */
    public static final class Refusal extends Exception {
        private final ErrorCode code;

        public Refusal(ErrorCode code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        public ErrorCode code() {
            return code;
        }
    }

    private final Map<String, ErrorCode> known;
    private final Map<String, RawValue> values = new HashMap<>();
    private final Set<String> repeated = new HashSet<>();
    private String firstUnknown;

    RequestFields(Map<String, ErrorCode> known) {
        this.known = known;
    }

    void put(String name, RawValue value) {
        if (!known.containsKey(name)) {
            if (firstUnknown == null) {
                firstUnknown = name;
            }
        } else if (values.putIfAbsent(name, value) != null) {
            repeated.add(name);
        }
    }

    String firstUnknown() {
        return firstUnknown;
    }

    /** The first field given twice, in the kind's order of fields, or null. */
    String firstRepeated() {
        return known.keySet().stream().filter(repeated::contains).findFirst().orElse(null);
    }

    boolean isRepeated(String field) {
        return repeated.contains(field);
    }

    /** Whether the request gives {@code field}. */
    public boolean has(String field) {
        return values.containsKey(field);
    }

    /** A refusal of {@code field}'s value, with its code. */
    public Refusal refuse(String field, String message) {
        return new Refusal(known.get(field), message);
    }

    /** A string field of 1 to {@code maxLength} code points, free of control characters and unpaired surrogates. */
    public String text(String field, String absent, int maxLength) throws Refusal {
        return text(field, absent, 1, maxLength, "");
    }

    /**
     * A string field of {@code minLength} to {@code maxLength} code points, free of control characters and unpaired
     * surrogates; {@code why} explains in the message why control characters are refused, if there is more to say.
     */
    public String text(String field, String absent, int minLength, int maxLength, String why) throws Refusal {
        RawValue raw = values.get(field);
        if (raw == null) {
            return absent;
        }
        String allowed = minLength == 0
                ? "a string of at most " + maxLength + " characters without control characters"
                : "a string of " + minLength + " to " + maxLength + " characters without control characters";
        if (raw.token() != JsonToken.VALUE_STRING) {
            throw refusal(field, allowed, raw, absent);
        }
        String value = raw.text();
        int length = value.codePointCount(0, value.length());
        if (length < minLength || length > maxLength) {
            throw refuse(field, field + " must be " + allowed + "; received " + length + " characters: " + show(value));
        }
        requireClean(field, value, why);
        return value;
    }

    private void requireClean(String field, String value, String why) throws Refusal {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw refuse(field, String.format("%s must not hold control characters%s; received U+%04X"
                        + " at character %d of %s", field, why, (int) c, i, show(value)));
            }
            if (startsPair(value, i)) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw refuse(field, String.format("%s must be valid Unicode; received an unpaired surrogate"
                        + " U+%04X at character %d of %s", field, (int) c, i, show(value)));
            }
        }
    }

    /** A whole number from {@code min} to {@code max}. */
    public int integer(String field, int absent, int min, int max) throws Refusal {
        RawValue raw = values.get(field);
        if (raw == null) {
            return absent;
        }
        String allowed = "a whole number from " + min + " to " + max;
        if (raw.token() != JsonToken.VALUE_NUMBER_INT && raw.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            throw refusal(field, allowed, raw, Integer.toString(absent));
        }
        BigDecimal exact = exact(field, allowed, raw);
        // Range first: it compares exponents without expanding 1e999999, and bounds what intValueExact works on.
        if (exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw refusal(field, allowed, raw, null);
        }
        try {
            return exact.intValueExact();
        } catch (ArithmeticException fraction) {
            throw refusal(field, allowed, raw, null);
        }
    }

    /** A number greater than 0 and at most {@code max} (and not so small that a double cannot tell it from 0). */
    public double positive(String field, double absent, double max) throws Refusal {
        RawValue raw = values.get(field);
        if (raw == null) {
            return absent;
        }
        String allowed = "a number greater than 0 and at most " + (max == Math.rint(max) ? Long.toString((long) max)
                : Double.toString(max));
        if (raw.token() != JsonToken.VALUE_NUMBER_INT && raw.token() != JsonToken.VALUE_NUMBER_FLOAT) {
            throw refusal(field, allowed, raw, Double.toString(absent));
        }
        BigDecimal exact = exact(field, allowed, raw);
        if (exact.signum() <= 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw refusal(field, allowed, raw, null);
        }
        double value = Double.parseDouble(raw.text());
        if (value == 0) {
            throw refuse(field, field + " must be " + allowed + "; received " + show(raw)
                    + ", too small to tell from 0");
        }
        return value;
    }

    /** {@code true} or {@code false}. */
    public boolean bool(String field, boolean absent) throws Refusal {
        RawValue raw = values.get(field);
        if (raw == null) {
            return absent;
        }
        if (raw.token() == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (raw.token() == JsonToken.VALUE_FALSE) {
            return false;
        }
        throw refusal(field, "true or false", raw, Boolean.toString(absent));
    }

    /** The exact value of a JSON number literal (its grammar is a subset of BigDecimal's). */
    private BigDecimal exact(String field, String allowed, RawValue raw) throws Refusal {
        try {
            return new BigDecimal(raw.text());
        } catch (NumberFormatException exponentBeyondInt) {
            throw refusal(field, allowed, raw, null);
        }
    }

    /** "field must be allowed; received value", with a hint when the value is null and the field has a default. */
    private Refusal refusal(String field, String allowed, RawValue raw, String fallback) {
        String hint = raw.token() == JsonToken.VALUE_NULL && fallback != null
                ? " (leave the field out for the default, " + fallback + ")" : "";
        return refuse(field, field + " must be " + allowed + "; received " + show(raw) + hint);
    }

    private static boolean startsPair(String value, int i) {
        return Character.isHighSurrogate(value.charAt(i)) && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
    }

    /** A received value as the requester wrote it: strings quoted, numbers as their literal, containers by kind. */
    private static String show(RawValue raw) {
        return switch (raw.token()) {
            case VALUE_STRING -> show(raw.text());
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            default -> printable(raw.text(), SHOWN_CODE_POINTS, false);
        };
    }

    /** A string quoted JSON-style, control characters and unpaired surrogates escaped, cut at 60 code points. */
    public static String show(String value) {
        return "\"" + printable(value, SHOWN_CODE_POINTS, true) + "\"";
    }

    /**
     * Escapes what would make a message unreadable or unwritable (control characters, unpaired surrogates, and
     * within a quoted string quotes and backslashes), and cuts after {@code maxCodePoints} with "...".
     */
    static String printable(String value, int maxCodePoints, boolean quoted) {
        StringBuilder out = new StringBuilder(Math.min(value.length(), maxCodePoints * 2) + 8);
        int codePoints = 0;
        for (int i = 0; i < value.length(); i++) {
            if (codePoints == maxCodePoints) {
                return out.append("...").toString();
            }
            char c = value.charAt(i);
            codePoints++;
            if (startsPair(value, i)) {
                out.append(c).append(value.charAt(++i));
            } else if (quoted && (c == '"' || c == '\\')) {
                out.append('\\').append(c);
            } else if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
