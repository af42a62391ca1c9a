package dev.quire.batch.eval.score;

import java.util.Comparator;
import java.util.Locale;

/**
 * Python 3 {@code str} behaviour the official scorers depend on, so a string scores here exactly as it does there:
 * whitespace is what {@code str.isspace()} accepts (no-break space and the separators U+001C–U+001F included, which
 * Java's {@code String.strip} leaves), lengths and edit distances count code points, sorting is by code point.
 */
public final class PyStr {
    private PyStr() {
    }

    /** {@code str.isspace()} for one code point. */
    public static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20) || cp == 0x85 || cp == 0xa0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f
                || cp == 0x205f || cp == 0x3000;
    }

    /** {@code s.strip()}. */
    public static String strip(String s) {
        int from = 0;
        int to = s.length();
        while (from < to) {
            int cp = s.codePointAt(from);
            if (!isSpace(cp)) {
                break;
            }
            from += Character.charCount(cp);
        }
        while (to > from) {
            int cp = s.codePointBefore(to);
            if (!isSpace(cp)) {
                break;
            }
            to -= Character.charCount(cp);
        }
        return s.substring(from, to);
    }

    /** {@code s.lstrip(c)} for one character. */
    public static String lstrip(String s, char c) {
        int i = 0;
        while (i < s.length() && s.charAt(i) == c) {
            i++;
        }
        return s.substring(i);
    }

    /** {@code s.rstrip(c)} for one character. */
    public static String rstrip(String s, char c) {
        int i = s.length();
        while (i > 0 && s.charAt(i - 1) == c) {
            i--;
        }
        return s.substring(0, i);
    }

    /** {@code s.lower()} (full Unicode case mapping, no locale). */
    public static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    /** {@code len(s)}: code points. */
    public static int len(String s) {
        return s.codePointCount(0, s.length());
    }

    /** {@code len(s.upper())}: code points after full upper-casing ("ß" becomes "SS", two). */
    public static int upperLen(String s) {
        return len(s.toUpperCase(Locale.ROOT));
    }

    /** {@code " ".join(s.split())}: whitespace runs collapsed to one space, ends trimmed. */
    public static String collapseSpaces(String s) {
        StringBuilder out = new StringBuilder();
        boolean pending = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (isSpace(cp)) {
                pending = out.length() > 0;
            } else {
                if (pending) {
                    out.append(' ');
                    pending = false;
                }
                out.appendCodePoint(cp);
            }
        }
        return out.toString();
    }

    /** Python's string order: by code point (Java's {@code compareTo} orders UTF-16 units). */
    public static final Comparator<String> ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    /** Levenshtein distance over code points (unit costs), as the official scripts' dynamic programme computes it. */
    public static int levenshtein(String a, String b) {
        int[] s = a.codePoints().toArray();
        int[] t = b.codePoints().toArray();
        if (s.length > t.length) {
            int[] x = s;
            s = t;
            t = x;
        }
        int[] prev = new int[s.length + 1];
        int[] cur = new int[s.length + 1];
        for (int i = 0; i <= s.length; i++) {
            prev[i] = i;
        }
        for (int j = 0; j < t.length; j++) {
            cur[0] = j + 1;
            for (int i = 0; i < s.length; i++) {
                cur[i + 1] = s[i] == t[j] ? prev[i] : 1 + Math.min(prev[i], Math.min(prev[i + 1], cur[i]));
            }
            int[] x = prev;
            prev = cur;
            cur = x;
        }
        return prev[s.length];
    }
}
