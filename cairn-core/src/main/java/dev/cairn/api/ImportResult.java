package dev.cairn.api;

/**
 * What an import did.
 *
 * @param name    the dataset it made (or replaced)
 * @param version the data model version the dataset was made at
 * @param samples how many samples it holds
 */
public record ImportResult(String name, Version version, long samples) {
}
