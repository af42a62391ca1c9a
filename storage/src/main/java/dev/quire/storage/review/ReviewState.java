package dev.quire.storage.review;

/** Where an answer stands with the reviewers. */
public enum ReviewState {
    UNREVIEWED, ACCEPTED, CORRECTED, REJECTED
}
