package dev.cairn.cli;

import dev.cairn.Cairn;
import dev.cairn.api.ImportResult;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code cairn import FILE}: a dataset from Cairn's JSON Lines format. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = {"Import a dataset from Cairn's JSON Lines format (what 'cairn export' writes).",
                "",
                "An import is all or nothing: it runs in one transaction, and a bad line, reported with",
                "its line number, leaves the database as it was. The file is streamed, never held in",
                "memory whole."},
        footer = ExitCodes.FOOTER)
final class ImportCommand implements Callable<Integer> {

    @ParentCommand
    CairnCommand parent;

    @Parameters(paramLabel = "FILE", description = "The file to import; - reads standard input.")
    String file;

    @Option(names = {"-n", "--name"}, paramLabel = "NAME", description = "The new dataset's name (default: the name in the file).")
    String name;

    @Option(names = "--replace", description = "Replace a dataset of the same name, in the same transaction.")
    boolean replace;

    @Override
    public Integer call() throws IOException {
        Context ctx = parent.context;
        long start = System.nanoTime();
        InputStream in;
        long size = -1;
        String source;
        if (file.equals("-")) {
            in = ctx.in();
            source = "standard input";
        } else {
            Path path;
            try {
                path = Path.of(file);
            } catch (InvalidPathException e) {
                throw new InvalidInputException(Texts.quoted(file) + " is not a usable file name");
            }
            source = path.toString();
            if (Files.isDirectory(path)) {
                throw new InvalidInputException(source + " is a folder, not a file");
            }
            try {
                in = Files.newInputStream(path);
                size = Files.size(path);
            } catch (NoSuchFileException e) {
                throw new InvalidInputException("there is no file " + source);
            } catch (IOException e) {
                throw new InvalidInputException("cannot read " + source + ": " + e.getMessage());
            }
        }
        try (InputStream input = in; Cairn cairn = ctx.open(false)) {
            ImportResult r = cairn.importLines(input, source, name, replace, size);
            ctx.out.println("Imported " + r.samples() + " samples into dataset " + Texts.quoted(r.name()) + " (data model "
                    + r.version() + ") in " + CliFeedback.seconds(java.time.Duration.ofNanos(System.nanoTime() - start)) + ".");
            return ExitCodes.OK;
        }
    }
}
