package dev.quire.layout.text;

import java.math.BigDecimal;
import java.text.Normalizer;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text read as comparable units, each remembering the words it came from: dates by value ({@code 12 March 2019},
 * {@code March 12, 2019} and {@code 2019-03-12} are one date; {@code 03/04/2019} is either reading), numbers by
 * value ({@code 1,234.00} = {@code 1234}; currency, percent signs and signs are punctuation), everything else as
 * lower-case runs of letters and digits without accents. Punctuation and spacing never matter.
 */
final class TextUnits {
    enum Kind { WORD, NUMBER, DATE }

    /** One unit: its comparison key (and a second reading for ambiguous dates) and its word range. */
    record Unit(Kind kind, String key, String altKey, int firstWord, int lastWord) {
        boolean sameAs(Unit o) {
            return key.equals(o.key) || (altKey != null && altKey.equals(o.key))
                    || (o.altKey != null && (o.altKey.equals(key) || o.altKey.equals(altKey)));
        }

        boolean isValue() {
            return kind != Kind.WORD;
        }
    }

    private static final String MONTH = "(january|february|march|april|may|june|july|august|september|october|november"
            + "|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\\.?";
    private static final Pattern ISO_DAY = Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2})(?!\\d)");
    private static final Pattern ISO_MONTH = Pattern.compile("(\\d{4})-(\\d{2})(?![\\d-])");
    private static final Pattern DAY_MONTH_YEAR = Pattern.compile(
            "(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?" + MONTH + ",?\\s+(\\d{4})(?!\\d)");
    private static final Pattern MONTH_DAY_YEAR = Pattern.compile(
            MONTH + "\\s+(\\d{1,2})(?:st|nd|rd|th)?,?\\s+(\\d{4})(?!\\d)");
    private static final Pattern MONTH_YEAR = Pattern.compile(MONTH + ",?\\s+(\\d{4})(?!\\d)");
    private static final Pattern NUMERIC_DATE = Pattern.compile("(\\d{1,2})[/.](\\d{1,2})[/.](\\d{4})(?!\\d)");
    private static final Pattern NUMBER = Pattern.compile("(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?");
    private static final Pattern RUN = Pattern.compile("[\\p{L}\\p{N}]+");

    private final List<Unit> units;
    private final String letters;
    private final int[] offsets;

    private TextUnits(List<Unit> units) {
        this.units = units;
        this.offsets = new int[units.size() + 1];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < units.size(); i++) {
            offsets[i] = all.length();
            all.append(units.get(i).key());
        }
        offsets[units.size()] = all.length();
        this.letters = all.toString();
    }

    /** The units of a sequence of words (a page's text layer, or an answer given as one string). */
    static TextUnits of(List<String> words) {
        StringBuilder text = new StringBuilder();
        List<Integer> wordAt = new ArrayList<>();
        for (int w = 0; w < words.size(); w++) {
            String norm = normalize(words.get(w));
            if (norm.isBlank()) {
                continue;
            }
            if (!text.isEmpty()) {
                text.append(' ');
                wordAt.add(w);
            }
            text.append(norm);
            for (int c = 0; c < norm.length(); c++) {
                wordAt.add(w);
            }
        }
        return new TextUnits(scan(text.toString(), wordAt));
    }

    private static String normalize(String s) {
        String d = Normalizer.normalize(s, Normalizer.Form.NFKD).replaceAll("\\p{M}+", "");
        return d.toLowerCase(Locale.ROOT);
    }

    private static List<Unit> scan(String t, List<Integer> wordAt) {
        List<Unit> out = new ArrayList<>();
        int i = 0;
        while (i < t.length()) {
            char c = t.charAt(i);
            boolean start = Character.isLetterOrDigit(c) && (i == 0 || !Character.isLetterOrDigit(t.charAt(i - 1)));
            if (!start) {
                i++;
                continue;
            }
            int end = -1;
            Unit u = null;
            Matcher m;
            if ((m = at(ISO_DAY, t, i)) != null) {
                u = day(m.group(1), m.group(2), m.group(3), null);
            } else if ((m = at(NUMERIC_DATE, t, i)) != null) {
                Unit dm = day(m.group(3), m.group(2), m.group(1), null);
                Unit md = day(m.group(3), m.group(1), m.group(2), null);
                u = dm != null && md != null ? new Unit(Kind.DATE, dm.key(), md.key(), 0, 0) : dm != null ? dm : md;
            } else if ((m = at(DAY_MONTH_YEAR, t, i)) != null) {
                u = day(m.group(3), month(m.group(2)), m.group(1), null);
            } else if ((m = at(MONTH_DAY_YEAR, t, i)) != null) {
                u = day(m.group(3), month(m.group(1)), m.group(2), null);
            } else if ((m = at(MONTH_YEAR, t, i)) != null) {
                u = yearMonth(m.group(2), month(m.group(1)));
            } else if ((m = at(ISO_MONTH, t, i)) != null) {
                u = yearMonth(m.group(1), m.group(2));
            }
            if (u != null) {
                end = m.end();
            } else if (Character.isDigit(c) && (m = at(NUMBER, t, i)) != null
                    && (m.end() == t.length() || !Character.isLetterOrDigit(t.charAt(m.end()))
                    || Character.isLetter(t.charAt(m.end())))) {
                String plain = new BigDecimal(m.group().replace(",", "")).stripTrailingZeros().toPlainString();
                u = new Unit(Kind.NUMBER, "#" + plain + "#", null, 0, 0);
                end = m.end();
            } else {
                m = at(RUN, t, i);
                u = new Unit(Kind.WORD, m.group(), null, 0, 0);
                end = m.end();
            }
            out.add(new Unit(u.kind(), u.key(), u.altKey(), wordAt.get(i), wordAt.get(end - 1)));
            i = end;
        }
        return out;
    }

    private static Matcher at(Pattern p, String t, int i) {
        Matcher m = p.matcher(t).region(i, t.length());
        return m.lookingAt() ? m : null;
    }

    private static String month(String name) {
        String n = name.replace(".", "");
        String[] months = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
        for (int i = 0; i < months.length; i++) {
            if (n.startsWith(months[i])) {
                return Integer.toString(i + 1);
            }
        }
        throw new IllegalStateException("not a month: " + name);
    }

    private static Unit day(String y, String m, String d, String alt) {
        try {
            return new Unit(Kind.DATE, "@" + LocalDate.of(Integer.parseInt(y), Integer.parseInt(m), Integer.parseInt(d)) + "@",
                    alt, 0, 0);
        } catch (DateTimeException e) {
            return null;
        }
    }

    private static Unit yearMonth(String y, String m) {
        try {
            return new Unit(Kind.DATE, "@" + YearMonth.of(Integer.parseInt(y), Integer.parseInt(m)) + "@", null, 0, 0);
        } catch (DateTimeException e) {
            return null;
        }
    }

    int size() {
        return units.size();
    }

    Unit unit(int i) {
        return units.get(i);
    }

    int firstWord(int unit) {
        return units.get(unit).firstWord();
    }

    int lastWord(int unit) {
        return units.get(unit).lastWord();
    }

    /** The keys of units {@code [from, to)} run together: what fuzzy matching compares. */
    String letters(int from, int to) {
        return letters.substring(offsets[from], offsets[to]);
    }

    /** Where {@code want}'s units occur in order in this text, or −1. */
    int indexOf(TextUnits want) {
        int k = want.size();
        outer:
        for (int from = 0; from + k <= units.size(); from++) {
            for (int j = 0; j < k; j++) {
                if (!units.get(from + j).sameAs(want.unit(j))) {
                    continue outer;
                }
            }
            return from;
        }
        return -1;
    }

    /** Whether every number and date of {@code want} occurs, by value, in units {@code [from, to)}. */
    boolean containsValues(TextUnits want, int from, int to) {
        for (Unit w : want.units) {
            if (w.isValue() && !contains(w, from, to)) {
                return false;
            }
        }
        return true;
    }

    /** The share of {@code want}'s distinct units found in {@code [from, to)}; 0 when a number or date is missing. */
    double coverage(TextUnits want, int from, int to) {
        if (!containsValues(want, from, to)) {
            return 0;
        }
        Set<String> distinct = new HashSet<>();
        int found = 0;
        for (Unit w : want.units) {
            if (distinct.add(w.key()) && contains(w, from, to)) {
                found++;
            }
        }
        return (double) found / distinct.size();
    }

    private boolean contains(Unit w, int from, int to) {
        for (int i = from; i < to; i++) {
            if (units.get(i).sameAs(w)) {
                return true;
            }
        }
        return false;
    }
}
