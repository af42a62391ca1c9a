package dev.quire.batch.eval.score;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Python literals the benchmark's files and the answer extraction produce — {@code "[3, 5]"},
 * {@code "['Chart', 'Table']"} — and prints values the way Python's {@code str()} does. The official scripts call
 * {@code eval()} on these strings; here only literals are accepted (strings with every escape and prefix
 * {@code r}/{@code u}/{@code b}, adjacent-string concatenation, ints with underscores and {@code 0x}/{@code 0o}/{@code 0b},
 * floats, signs, {@code None}/{@code True}/{@code False}, lists and tuples). Anything else (a bare name, an
 * expression) is a {@link Malformed} error, which the scorer turns into a zero for that item — the official script
 * would stop the whole run there.
 */
public final class PyLiteral {
    /** Python's {@code None}. */
    public enum None { NONE }

    /** A Python tuple (prints with parentheses). */
    public record Tuple(List<Object> items) {
    }

    /** Python bytes (prints as {@code b'…'}). */
    public record Bytes(String latin1) {
    }

    public static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    private final String s;
    private int i;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** The value of one literal expression (a top-level {@code a, b} is a tuple, as in {@code eval}). */
    public static Object parse(String text) throws Malformed {
        PyLiteral p = new PyLiteral(text);
        p.skipSpace();
        if (p.i >= p.s.length()) {
            throw new Malformed("empty expression");
        }
        Object v = p.exprList(-1);
        p.skipSpace();
        if (p.i < p.s.length()) {
            throw p.error("unexpected '" + p.s.charAt(p.i) + "'");
        }
        return v;
    }

    private Malformed error(String what) {
        return new Malformed(what + " at character " + (i + 1) + " of " + abbreviate(s));
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? "'" + s + "'" : "'" + s.substring(0, 57) + "...'";
    }

    private void skipSpace() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
                i++;
            } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                i += 2;
            } else {
                break;
            }
        }
    }

    /** Comma-separated values up to {@code close} (-1: end of input). A bare comma list outside brackets is a tuple. */
    private Object exprList(int close) throws Malformed {
        Object first = value();
        skipSpace();
        if (i >= s.length() || s.charAt(i) != ',') {
            return first;
        }
        List<Object> items = new ArrayList<>();
        items.add(first);
        while (i < s.length() && s.charAt(i) == ',') {
            i++;
            skipSpace();
            if (i >= s.length() || s.charAt(i) == close) {
                break;
            }
            items.add(value());
            skipSpace();
        }
        return new Tuple(items);
    }

    private Object value() throws Malformed {
        skipSpace();
        if (i >= s.length()) {
            throw error("value expected");
        }
        char c = s.charAt(i);
        if (c == '[') {
            i++;
            List<Object> items = new ArrayList<>();
            skipSpace();
            while (true) {
                if (i >= s.length()) {
                    throw error("']' expected");
                }
                if (s.charAt(i) == ']') {
                    i++;
                    return items;
                }
                items.add(value());
                skipSpace();
                if (i < s.length() && s.charAt(i) == ',') {
                    i++;
                    skipSpace();
                } else if (i >= s.length() || s.charAt(i) != ']') {
                    throw error("',' or ']' expected");
                }
            }
        }
        if (c == '(') {
            i++;
            skipSpace();
            if (i < s.length() && s.charAt(i) == ')') {
                i++;
                return new Tuple(List.of());
            }
            Object v = exprList(')');
            skipSpace();
            if (i >= s.length() || s.charAt(i) != ')') {
                throw error("')' expected");
            }
            i++;
            return v;
        }
        if (c == '-' || c == '+') {
            i++;
            Object v = value();
            if (v instanceof Boolean b) {
                v = BigInteger.valueOf(b ? 1 : 0);
            }
            if (v instanceof BigInteger n) {
                return c == '-' ? n.negate() : n;
            }
            if (v instanceof Double d) {
                return c == '-' ? -d : d;
            }
            throw error("number expected after '" + c + "'");
        }
        if (Character.isDigit(c) || (c == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
            return number();
        }
        if (Character.isLetter(c) || c == '_') {
            int from = i;
            while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                i++;
            }
            String word = s.substring(from, i);
            if (i < s.length() && (s.charAt(i) == '\'' || s.charAt(i) == '"') && word.length() <= 2
                    && word.toLowerCase().matches("r|u|b|br|rb")) {
                return strings(word.toLowerCase());
            }
            return switch (word) {
                case "None" -> None.NONE;
                case "True" -> Boolean.TRUE;
                case "False" -> Boolean.FALSE;
                default -> {
                    i = from;
                    throw error("name '" + word + "' is not a literal");
                }
            };
        }
        if (c == '\'' || c == '"') {
            return strings("");
        }
        throw error("unexpected '" + c + "'");
    }

    /** One string literal and any adjacent ones (Python concatenates them). */
    private Object strings(String prefix) throws Malformed {
        StringBuilder out = new StringBuilder();
        boolean bytes = prefix.contains("b");
        out.append(string(prefix));
        while (true) {
            int save = i;
            skipSpace();
            String next = "";
            int p = i;
            while (p < s.length() && p - i < 2 && "rRuUbB".indexOf(s.charAt(p)) >= 0) {
                p++;
            }
            if (p < s.length() && (s.charAt(p) == '\'' || s.charAt(p) == '"')) {
                next = s.substring(i, p).toLowerCase();
                if (next.contains("b") != bytes) {
                    throw error("cannot mix bytes and str literals");
                }
                i = p;
                out.append(string(next));
            } else {
                i = save;
                break;
            }
        }
        return bytes ? new Bytes(out.toString()) : out.toString();
    }

    private String string(String prefix) throws Malformed {
        char q = s.charAt(i);
        boolean triple = s.startsWith(String.valueOf(q).repeat(3), i);
        i += triple ? 3 : 1;
        boolean raw = prefix.contains("r");
        StringBuilder out = new StringBuilder();
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (triple ? s.startsWith(String.valueOf(q).repeat(3), i) : c == q) {
                i += triple ? 3 : 1;
                return out.toString();
            }
            if (c == '\n' && !triple) {
                throw error("unterminated string");
            }
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            if (i + 1 >= s.length()) {
                throw error("unterminated string");
            }
            char e = s.charAt(i + 1);
            if (raw) {
                out.append(c).append(e);
                i += 2;
                continue;
            }
            i += 2;
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x' -> out.appendCodePoint(hex(2));
                case 'u' -> out.appendCodePoint(hex(4));
                case 'U' -> {
                    int cp = hex(8);
                    if (cp > Character.MAX_CODE_POINT) {
                        throw error("illegal Unicode character");
                    }
                    out.appendCodePoint(cp);
                }
                case 'N' -> {
                    int end = s.indexOf('}', i);
                    if (i >= s.length() || s.charAt(i) != '{' || end < 0) {
                        throw error("malformed \\N character escape");
                    }
                    try {
                        out.appendCodePoint(Character.codePointOf(s.substring(i + 1, end)));
                    } catch (IllegalArgumentException ex) {
                        throw error("unknown Unicode character name");
                    }
                    i = end + 1;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int v = e - '0';
                        for (int k = 0; k < 2 && i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '7'; k++) {
                            v = v * 8 + (s.charAt(i++) - '0');
                        }
                        out.append((char) v);
                    } else {
                        out.append('\\').append(e); // Python keeps unknown escapes as they are
                    }
                }
            }
        }
    }

    private int hex(int n) throws Malformed {
        if (i + n > s.length()) {
            throw error("truncated escape");
        }
        try {
            int v = Integer.parseUnsignedInt(s.substring(i, i + n), 16);
            if (!s.substring(i, i + n).matches("[0-9a-fA-F]+")) {
                throw new NumberFormatException();
            }
            i += n;
            return v;
        } catch (NumberFormatException ex) {
            throw error("truncated escape");
        }
    }

    private Object number() throws Malformed {
        int from = i;
        if (s.charAt(i) == '0' && i + 1 < s.length() && "xXoObB".indexOf(s.charAt(i + 1)) >= 0) {
            int radix = switch (Character.toLowerCase(s.charAt(i + 1))) {
                case 'x' -> 16;
                case 'o' -> 8;
                default -> 2;
            };
            i += 2;
            int start = i;
            while (i < s.length() && (Character.digit(s.charAt(i), radix) >= 0 || s.charAt(i) == '_')) {
                i++;
            }
            String digits = s.substring(start, i).replace("_", "");
            if (digits.isEmpty()) {
                throw error("invalid number");
            }
            return new BigInteger(digits, radix);
        }
        while (i < s.length() && (Character.isDigit(s.charAt(i)) || ".eE_".indexOf(s.charAt(i)) >= 0
                || ((s.charAt(i) == '+' || s.charAt(i) == '-') && "eE".indexOf(s.charAt(i - 1)) >= 0))) {
            i++;
        }
        String t = s.substring(from, i);
        if (i < s.length() && (s.charAt(i) == 'j' || s.charAt(i) == 'J' || Character.isLetter(s.charAt(i)))) {
            throw error("invalid number '" + t + s.charAt(i) + "'");
        }
        if (t.matches("[0-9](_?[0-9])*")) {
            if (t.length() > 1 && t.charAt(0) == '0' && !t.matches("0(_?0)*")) {
                throw error("leading zeros in decimal integer literals are not permitted");
            }
            return new BigInteger(t.replace("_", ""));
        }
        Double d = PyNumber.parseFloat(t);
        if (d == null) {
            throw error("invalid number '" + t + "'");
        }
        return d;
    }

    /** {@code str(v)}. */
    public static String str(Object v) {
        return v instanceof String t ? t : repr(v);
    }

    /** {@code repr(v)}. */
    public static String repr(Object v) {
        if (v instanceof String t) {
            return reprString(t);
        }
        if (v instanceof Double d) {
            return PyNumber.repr(d);
        }
        if (v instanceof BigInteger n) {
            return n.toString();
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        if (v == None.NONE || v == null) {
            return "None";
        }
        if (v instanceof Bytes b) {
            return "b" + reprString(b.latin1());
        }
        if (v instanceof Tuple t) {
            List<String> parts = t.items().stream().map(PyLiteral::repr).toList();
            return "(" + String.join(", ", parts) + (parts.size() == 1 ? ",)" : ")");
        }
        if (v instanceof List<?> l) {
            return "[" + String.join(", ", l.stream().map(PyLiteral::repr).toList()) + "]";
        }
        throw new IllegalArgumentException("not a Python literal value: " + v);
    }

    private static String reprString(String t) {
        char q = t.indexOf('\'') >= 0 && t.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder out = new StringBuilder().append(q);
        t.codePoints().forEach(cp -> {
            if (cp == q || cp == '\\') {
                out.append('\\').appendCodePoint(cp);
            } else if (cp == '\t') {
                out.append("\\t");
            } else if (cp == '\n') {
                out.append("\\n");
            } else if (cp == '\r') {
                out.append("\\r");
            } else if (printable(cp)) {
                out.appendCodePoint(cp);
            } else if (cp < 0x100) {
                out.append(String.format("\\x%02x", cp));
            } else if (cp < 0x10000) {
                out.append(String.format("\\u%04x", cp));
            } else {
                out.append(String.format("\\U%08x", cp));
            }
        });
        return out.append(q).toString();
    }

    /** {@code str.isprintable()} for one code point. */
    private static boolean printable(int cp) {
        if (cp == ' ') {
            return true;
        }
        int type = Character.getType(cp);
        return switch (type) {
            case Character.CONTROL, Character.FORMAT, Character.SURROGATE, Character.PRIVATE_USE,
                 Character.UNASSIGNED, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR,
                 Character.SPACE_SEPARATOR -> false;
            default -> true;
        };
    }
}
