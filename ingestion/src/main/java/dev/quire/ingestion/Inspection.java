package dev.quire.ingestion;

/**
 * What an input file is and whether the pipeline will take it.
 *
 * @param fingerprint content hash and size
 * @param mediaType   detected from the bytes by Apache Tika (never from the file name)
 * @param kind        how it will be paged
 * @param pageCount   pages (PDF) or frames (image); 0 when not accepted
 * @param verdict     accepted, rejected (broken, encrypted, too large...) or unsupported (a type we do not page)
 * @param reason      for a rejected or unsupported file: the file name and the problem
 */
public record Inspection(Fingerprint fingerprint, String mediaType, Kind kind, int pageCount, Verdict verdict,
                         String reason) {

    /** OFFICE: converted to PDF first (page count known after conversion, 0 until then). */
    public enum Kind { PDF, IMAGE, OFFICE, OTHER }

    public enum Verdict { ACCEPTED, REJECTED, UNSUPPORTED }

    public boolean accepted() {
        return verdict == Verdict.ACCEPTED;
    }
}
