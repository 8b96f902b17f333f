package dev.cairn.cli;

import dev.cairn.api.Feedback;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress bars and notices on standard error, for people: bars only when standard error is a
 * terminal and the output is not JSON, so that scripts and pipes get clean output.
 */
final class CliFeedback implements Feedback {

    /** How often the bars are redrawn while work runs, whether or not a count moved. */
    static final Duration REFRESH = Duration.ofMillis(250);

    private final PrintStream err;
    private final boolean bars;
    private final boolean quiet;
    /** The bars on screen, made when the first task starts (only then is the terminal asked its width). */
    private ProgressBoard board;

    CliFeedback(PrintStream err, boolean bars, boolean quiet) {
        this.err = err;
        this.bars = bars;
        this.quiet = quiet;
    }

    @Override
    public Progress start(String task, long total, String unit) {
        if (!bars) {
            return Progress.NONE;
        }
        return board().start(task, total, unit);
    }

    private synchronized ProgressBoard board() {
        if (board == null) {
            int width = 80;
            boolean cursorMoves = false;
            try (Terminal t = TerminalBuilder.builder().dumb(true).build()) {
                width = t.getWidth() >= 20 ? t.getWidth() : 80;
                cursorMoves = t.getStringCapability(InfoCmp.Capability.cursor_up) != null
                        && t.getStringCapability(InfoCmp.Capability.clr_eos) != null;
            } catch (IOException | RuntimeException e) {
                // an unknown terminal: one line, 80 columns
            }
            board = new ProgressBoard(err, width, cursorMoves, ProgressBoard.Ticker.SYSTEM, REFRESH);
        }
        return board;
    }

    @Override
    public void notice(String message) {
        if (quiet) {
            return;
        }
        ProgressBoard b;
        synchronized (this) {
            b = board;
        }
        if (b != null) {
            b.notice("cairn: " + message);
        } else {
            err.println("cairn: " + message);
        }
    }

    static String seconds(Duration d) {
        return String.format("%.2f s", d.toNanos() / 1e9);
    }
}
