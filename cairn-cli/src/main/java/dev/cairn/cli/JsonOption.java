package dev.cairn.cli;

import picocli.CommandLine.Option;

/** The {@code --json} option of the commands that show something: JSON for scripts instead of text for people. */
final class JsonOption {

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean on;
}
