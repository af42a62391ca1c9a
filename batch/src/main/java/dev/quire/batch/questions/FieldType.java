package dev.quire.batch.questions;

import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The type of an extraction-template field: how the model is asked to write the value, and how its answer is
 * parsed. A value that does not parse is kept raw with the parse error (never dropped).
 */
public enum FieldType {
    STRING(""),
    INT("Give a whole number only."),
    FLOAT("Give a number only."),
    DATE("Give the date as YYYY-MM-DD."),
    LIST("Give the items separated by semicolons."),
    BOOLEAN("Answer yes or no.");

    private final String hint;

    FieldType(String hint) {
        this.hint = hint;
    }

    /** What the question adds so the model writes a parseable value. */
    public String hint() {
        return hint;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static FieldType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("unknown field type '" + s + "': use string, int, float, date, list or boolean");
        }
    }

    /** A parsed value (String, Long, Double, Boolean, ISO date String or List of String), or the parse error. */
    public record Value(Object value, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    private static final List<DateTimeFormatter> DATES = List.of(
            DateTimeFormatter.ISO_LOCAL_DATE, pattern("d MMMM uuuu"), pattern("d MMM uuuu"), pattern("MMMM d, uuuu"),
            pattern("MMM d, uuuu"), pattern("MMMM d uuuu"), pattern("d. MMMM uuuu"), pattern("uuuu/M/d"),
            pattern("M/d/uuuu"), pattern("d.M.uuuu"), pattern("d-M-uuuu"), pattern("uuuu.M.d"));

    private static DateTimeFormatter pattern(String p) {
        return new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(p).toFormatter(Locale.ENGLISH);
    }

    public Value parseValue(String raw) {
        String s = raw == null ? "" : raw.strip();
        if (s.endsWith(".") && this != STRING && this != LIST) {
            s = s.substring(0, s.length() - 1).strip();
        }
        if (s.isEmpty()) {
            return new Value(null, "empty value");
        }
        return switch (this) {
            case STRING -> new Value(s, null);
            case INT -> {
                String n = number(s);
                try {
                    double d = Double.parseDouble(n);
                    if (d != Math.rint(d) || Math.abs(d) > 9.0e15) {
                        yield new Value(null, "'" + s + "' is not a whole number");
                    }
                    yield new Value((long) d, null);
                } catch (NumberFormatException e) {
                    yield new Value(null, "'" + s + "' is not a whole number");
                }
            }
            case FLOAT -> {
                try {
                    yield new Value(Double.parseDouble(number(s)), null);
                } catch (NumberFormatException e) {
                    yield new Value(null, "'" + s + "' is not a number");
                }
            }
            case DATE -> {
                String d = s.replaceAll("(\\d)(st|nd|rd|th)\\b", "$1");
                for (DateTimeFormatter f : DATES) {
                    try {
                        yield new Value(LocalDate.parse(d, f).toString(), null);
                    } catch (DateTimeParseException e) {
                        // next format
                    }
                }
                yield new Value(null, "'" + s + "' is not a date (expected YYYY-MM-DD)");
            }
            case BOOLEAN -> {
                String b = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
                if (Arrays.asList("yes", "true", "y", "ja", "oui").contains(b)) {
                    yield new Value(true, null);
                }
                if (Arrays.asList("no", "false", "n", "nein", "non").contains(b)) {
                    yield new Value(false, null);
                }
                yield new Value(null, "'" + s + "' is not yes or no");
            }
            case LIST -> {
                String[] parts = s.contains(";") ? s.split(";") : s.contains("\n") ? s.split("\n") : s.split(",");
                List<String> items = new ArrayList<>();
                for (String p : parts) {
                    String item = p.strip().replaceFirst("^([-*•]|\\d+[.)])\\s*", "").strip();
                    if (!item.isEmpty()) {
                        items.add(item);
                    }
                }
                yield items.isEmpty() ? new Value(null, "no items in '" + s + "'") : new Value(List.copyOf(items), null);
            }
        };
    }

    /** A number as written in documents: currency signs, spaces, percent and thousands separators removed. */
    private static String number(String s) {
        String n = s.replaceAll("[\\s$€£¥%]|USD|EUR|NOK|GBP|kr", "");
        if (n.startsWith("(") && n.endsWith(")")) {
            n = "-" + n.substring(1, n.length() - 1);
        }
        if (n.matches("-?\\d{1,3}(,\\d{3})+(\\.\\d+)?")) {
            n = n.replace(",", "");
        } else if (n.matches("-?\\d{1,3}(\\.\\d{3})+(,\\d+)?")) {
            n = n.replace(".", "").replace(',', '.');
        } else if (n.matches("-?\\d+,\\d+")) {
            n = n.replace(',', '.');
        }
        return n;
    }
}
