package dev.quire.storage.document;

public enum PageStatus { OK, FAILED }
