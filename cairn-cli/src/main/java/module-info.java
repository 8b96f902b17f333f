/**
 * The {@code cairn} command: picocli commands that call Cairn's Java API ({@code dev.cairn},
 * {@code dev.cairn.api}) and nothing below it, and render what it returns as text or JSON.
 */
module dev.cairn.cli {
    requires dev.cairn.core;
    requires info.picocli;
    requires org.jline.terminal;
    requires com.fasterxml.jackson.databind;

    // picocli reads and sets the commands' annotated fields
    opens dev.cairn.cli to info.picocli;
}
