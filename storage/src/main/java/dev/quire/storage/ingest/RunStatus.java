package dev.quire.storage.ingest;

public enum RunStatus { STARTED, COMPLETED, FAILED }
