package dev.cairn.cli;

import dev.cairn.Cairn;
import dev.cairn.api.CairnException;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Texts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;

/** {@code cairn export NAME [FILE]}: a dataset in Cairn's JSON Lines format. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Export a dataset in Cairn's JSON Lines format: a header line (name, info, tags,",
                "classes, field schema, sample count), then one line a sample. 'cairn import' reads it",
                "back to the same dataset. The export is one consistent snapshot, streamed."},
        footer = ExitCodes.FOOTER)
final class ExportCommand implements Callable<Integer> {

    @ParentCommand
    CairnCommand parent;

    @Parameters(index = "0", paramLabel = "NAME", description = "The dataset.")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", arity = "0..1", defaultValue = "-",
            description = "Where to write it; - (the default) is standard output. A file appears only once complete.")
    String file;

    @Override
    public Integer call() throws IOException {
        Context ctx = parent.context;
        long start = System.nanoTime();
        try (Cairn cairn = ctx.open(file.equals("-"))) {
            if (file.equals("-")) {
                OutputStream out = new BufferedOutputStream(ctx.out, 1 << 16);
                cairn.export(name, out);
                out.flush();
                return ExitCodes.OK;
            }
            Path target;
            try {
                target = Path.of(file).toAbsolutePath();
            } catch (InvalidPathException e) {
                throw new InvalidInputException(Texts.quoted(file) + " is not a usable file name");
            }
            if (Files.isDirectory(target)) {
                throw new InvalidInputException(target + " is a folder; give a file name");
            }
            Path folder = target.getParent();
            if (folder != null && !Files.isDirectory(folder)) {
                throw new InvalidInputException("cannot write " + target + ": there is no such folder (" + folder + ")");
            }
            Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
            long n;
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
                n = cairn.export(name, out);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                if (e instanceof java.nio.file.AccessDeniedException) {
                    throw new InvalidInputException("cannot write " + target + ": permission denied");
                }
                if (e instanceof IOException io) {
                    throw new CairnException(CairnException.Kind.INVALID_INPUT, "cannot write " + target + ": "
                            + io.getMessage(), io);
                }
                throw e;
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            ctx.out.println("Exported " + n + " samples of dataset " + Texts.quoted(name) + " to " + target + " in "
                    + CliFeedback.seconds(java.time.Duration.ofNanos(System.nanoTime() - start)) + ".");
            return ExitCodes.OK;
        } catch (java.nio.file.AccessDeniedException | java.nio.file.NoSuchFileException e) {
            throw new InvalidInputException("cannot write " + e.getFile() + ": "
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : "no such folder"));
        }
    }
}
