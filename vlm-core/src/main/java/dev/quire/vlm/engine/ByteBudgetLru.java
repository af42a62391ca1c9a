package dev.quire.vlm.engine;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Least-recently-used entries within a byte budget: adding one evicts (and closes) the least recently used until
 * it fits; an entry larger than the whole budget is refused. Not thread-safe: its owner synchronizes, and a value
 * it hands out stays valid only while the owner holds that lock (an eviction closes it).
 */
final class ByteBudgetLru<V extends AutoCloseable> {
    private record Entry<V>(V value, long bytes) {
    }

    private final long budget;
    private final LinkedHashMap<String, Entry<V>> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long used;
    private long evictions;

    ByteBudgetLru(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("a cache budget cannot be negative, got " + budgetBytes + " bytes");
        }
        this.budget = budgetBytes;
    }

    long budget() {
        return budget;
    }

    /** The value (now the most recently used), or null. */
    V get(String key) {
        Entry<V> e = entries.get(key);
        return e == null ? null : e.value();
    }

    /** Whether an entry of {@code bytes} can be kept at all. */
    boolean fits(long bytes) {
        return bytes <= budget;
    }

    /** Evicts least recently used entries until {@code bytes} more fit; false (nothing evicted) when it never can. */
    boolean makeRoom(long bytes) {
        if (!fits(bytes)) {
            return false;
        }
        Iterator<Map.Entry<String, Entry<V>>> it = entries.entrySet().iterator();
        while (used + bytes > budget && it.hasNext()) {
            Entry<V> eldest = it.next().getValue();
            it.remove();
            used -= eldest.bytes();
            evictions++;
            close(eldest.value());
        }
        return true;
    }

    /**
     * Keeps {@code value} under {@code key}, evicting as needed; false when it is larger than the budget (the caller
     * still owns it then). A value already under the key is replaced and closed.
     */
    boolean put(String key, V value, long bytes) {
        if (!makeRoom(bytes)) {
            return false;
        }
        Entry<V> old = entries.put(key, new Entry<>(value, bytes));
        if (old != null) {
            used -= old.bytes();
            if (old.value() != value) {
                close(old.value());
            }
        }
        used += bytes;
        return true;
    }

    long used() {
        return used;
    }

    int size() {
        return entries.size();
    }

    long evictions() {
        return evictions;
    }

    void clear() {
        entries.values().forEach(e -> close(e.value()));
        entries.clear();
        used = 0;
    }

    private static void close(AutoCloseable v) {
        try {
            v.close();
        } catch (Exception e) {
            throw new IllegalStateException("freeing a cache entry failed: " + e.getMessage(), e);
        }
    }
}
