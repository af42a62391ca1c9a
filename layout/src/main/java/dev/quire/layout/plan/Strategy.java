package dev.quire.layout.plan;

import java.util.Locale;

/** How a document is put in front of the model for one question. */
public enum Strategy {
    /** single when every page fits at native resolution, else multigranular, else mapreduce */
    AUTO,
    /** every page at native resolution in one prompt */
    SINGLE,
    /** every page as a thumbnail, the most relevant pages at native resolution, in one prompt */
    MULTIGRANULAR,
    /** consecutive chunks that each fit, asked one by one, then one call (or a rule) combines their answers */
    MAPREDUCE;

    public static Strategy parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("-", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown planning strategy '" + s + "': use auto, single, multigranular or mapreduce");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
