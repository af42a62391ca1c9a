package dev.quire.storage.extract;

/**
 * What became of one question about one document.
 * <ul>
 * <li>{@code ANSWERED}: the model answered (a typed field's value parsed);</li>
 * <li>{@code NOT_ANSWERABLE}: the model said the document does not answer it;</li>
 * <li>{@code PARSE_ERROR}: the reply or the typed value did not parse (the raw output is kept with the reason);</li>
 * <li>{@code FAILED}: no answer could be made (unplannable document, engine failure after retries); the reason says which.</li>
 * </ul>
 */
public enum AnswerStatus {
    ANSWERED, NOT_ANSWERABLE, PARSE_ERROR, FAILED
}
