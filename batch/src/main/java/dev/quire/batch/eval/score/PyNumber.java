package dev.quire.batch.eval.score;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.regex.Pattern;

/**
 * Python 3 number semantics the official MMLongBench-Doc scorer depends on: what {@code float(s)} and
 * {@code int(s)} accept, how {@code str(x)} prints a float (its digits decide the rounding precision), what
 * {@code round(x, n)} and {@code math.isclose} return.
 */
public final class PyNumber {
    private PyNumber() {
    }

    private static final String DIGITS = "[0-9](?:_?[0-9])*";
    private static final Pattern FLOAT = Pattern.compile(
            "[+-]?(?:" + DIGITS + "(?:\\.(?:" + DIGITS + ")?)?|\\." + DIGITS + ")(?:[eE][+-]?" + DIGITS + ")?");
    private static final Pattern SPECIAL = Pattern.compile("([+-]?)(inf|infinity|nan)", Pattern.CASE_INSENSITIVE);
    private static final Pattern INT = Pattern.compile("[+-]?" + DIGITS);

    /** {@code float(s)}, or null where Python raises {@code ValueError}. */
    public static Double parseFloat(String s) {
        String t = asciiDigits(PyStr.strip(s));
        var special = SPECIAL.matcher(t);
        if (special.matches()) {
            boolean neg = special.group(1).equals("-");
            return special.group(2).equalsIgnoreCase("nan") ? Double.NaN
                    : neg ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (!FLOAT.matcher(t).matches()) {
            return null;
        }
        return Double.parseDouble(t.replace("_", ""));
    }

    /** {@code int(s)} (base 10), or null where Python raises {@code ValueError}. */
    public static BigInteger parseInt(String s) {
        String t = asciiDigits(PyStr.strip(s));
        if (!INT.matcher(t).matches()) {
            return null;
        }
        return new BigInteger(t.replace("_", ""));
    }

    /** {@code int(x)} of a float: truncation toward zero; null for inf and nan (Python raises). */
    public static BigInteger truncate(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return null;
        }
        return new BigDecimal(x).toBigInteger();
    }

    /** Python accepts any Unicode decimal digit in numbers ("٣" is 3). */
    private static String asciiDigits(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int n = Character.charCount(cp);
            if (cp > 0x7f && Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                if (out == null) {
                    out = new StringBuilder(s.substring(0, i));
                }
                out.append((char) ('0' + Character.digit(cp, 10)));
            } else if (out != null) {
                out.appendCodePoint(cp);
            }
            i += n;
        }
        return out == null ? s : out.toString();
    }

    /**
     * {@code repr(x)} / {@code str(x)}: the shortest digits that read back as x (Java's {@code Double.toString}
     * finds the same digits since JDK 19), laid out as Python does — positional when the decimal exponent is in
     * [-4, 16), else {@code 1.5e-05} / {@code 1e+16}; integral values keep {@code .0}.
     */
    public static String repr(double x) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        if (x == 0) {
            return (1 / x < 0) ? "-0.0" : "0.0";
        }
        BigDecimal d = new BigDecimal(Double.toString(Math.abs(x))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int decpt = digits.length() - d.scale(); // value = 0.digits × 10^decpt
        String sign = x < 0 ? "-" : "";
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                return sign + "0." + "0".repeat(-decpt) + digits;
            }
            if (decpt >= digits.length()) {
                return sign + digits + "0".repeat(decpt - digits.length()) + ".0";
            }
            return sign + digits.substring(0, decpt) + "." + digits.substring(decpt);
        }
        int exp = decpt - 1;
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        String e = String.valueOf(Math.abs(exp));
        return sign + mantissa + "e" + (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
    }

    /** {@code round(x, n)} for n ≥ 0: the exact binary value rounded half-even, read back as a double. */
    public static double round(double x, int n) {
        if (Double.isNaN(x) || Double.isInfinite(x) || x == 0) {
            return x;
        }
        return new BigDecimal(x).setScale(n, RoundingMode.HALF_EVEN).doubleValue();
    }

    /** {@code math.isclose(a, b, rel_tol=relTol)} with {@code abs_tol=0}. */
    public static boolean isClose(double a, double b, double relTol) {
        if (a == b) {
            return true;
        }
        if (Double.isInfinite(a) || Double.isInfinite(b)) {
            return false;
        }
        double diff = Math.abs(b - a);
        return diff <= Math.abs(relTol * b) || diff <= Math.abs(relTol * a);
    }
}
