package dev.quire.web.review;

/**
 * Parses a reviewer's corrected value with the same rules extraction uses for the model's answer (the application
 * provides the implementation: the question set's field types live with the extraction jobs).
 */
public interface AnswerValues {
    /** A parsed value as JSON, or the error that says why the text is not a value of the type. */
    record Parsed(String json, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * @param valueType the field's type (string, int, float, date, list, boolean), or null for a free question
     * @param text      the value as typed
     */
    Parsed parse(String valueType, String text);
}
