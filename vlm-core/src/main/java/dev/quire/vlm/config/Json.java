package dev.quire.vlm.config;

import com.fasterxml.jackson.databind.JsonNode;

/** Typed reads from a config JSON object, with errors that name the file and the key. */
record Json(JsonNode node, String where) {

    Json child(String key) {
        JsonNode n = node.get(key);
        if (n == null || !n.isObject()) {
            throw new ConfigError(where + ": \"" + key + "\" is missing or not an object");
        }
        return new Json(n, where + "." + key);
    }

    boolean has(String key) {
        JsonNode n = node.get(key);
        return n != null && !n.isNull();
    }

    int integer(String key) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull() || !n.canConvertToInt()) {
            throw new ConfigError(where + ": \"" + key + "\" is missing or not an integer");
        }
        return n.asInt();
    }

    int integer(String key, int fallback) {
        return has(key) ? integer(key) : fallback;
    }

    /** An integer that may be JSON null (e.g. q_lora_rank): 0 when null or absent. */
    int optionalInteger(String key) {
        return has(key) ? integer(key) : 0;
    }

    double number(String key) {
        JsonNode n = node.get(key);
        if (n == null || !n.isNumber()) {
            throw new ConfigError(where + ": \"" + key + "\" is missing or not a number");
        }
        return n.asDouble();
    }

    double number(String key, double fallback) {
        return has(key) ? number(key) : fallback;
    }

    boolean bool(String key, boolean fallback) {
        JsonNode n = node.get(key);
        return n == null || n.isNull() ? fallback : n.asBoolean();
    }

    String text(String key, String fallback) {
        JsonNode n = node.get(key);
        return n == null || n.isNull() ? fallback : n.asText();
    }

    int[] integers(String key, int[] fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (n.canConvertToInt()) {
            return new int[] {n.asInt(), n.asInt()};
        }
        if (!n.isArray()) {
            throw new ConfigError(where + ": \"" + key + "\" must be an integer or an array of integers");
        }
        int[] out = new int[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asInt();
        }
        return out;
    }

    double[] numbers(String key, double[] fallback) {
        JsonNode n = node.get(key);
        if (n == null || n.isNull()) {
            return fallback;
        }
        if (!n.isArray()) {
            throw new ConfigError(where + ": \"" + key + "\" must be an array of numbers");
        }
        double[] out = new double[n.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = n.get(i).asDouble();
        }
        return out;
    }

    static int positive(int v, String what) {
        if (v <= 0) {
            throw new ConfigError(what + " must be positive, got " + v);
        }
        return v;
    }
}
