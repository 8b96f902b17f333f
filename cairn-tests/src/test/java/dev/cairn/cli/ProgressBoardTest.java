package dev.cairn.cli;

import dev.cairn.api.Feedback;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What the progress bars say, and when they are drawn, with the time in the test's hands. */
class ProgressBoardTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private void pass(double seconds) {
        now.addAndGet((long) (seconds * 1e9));
    }

    private ProgressBoard board(int width, boolean cursorMoves) {
        return new ProgressBoard(out, width, cursorMoves, now::get, null);
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void theOverallClockTicksAndALargeDatasetGetsItsOwnBarWhileItRuns() {
        ProgressBoard board = board(160, true);
        Feedback.Progress overall = board.start("migrating 2 datasets to 0.4.0", 2, "datasets");
        pass(0.1);
        overall.advance(1);
        Feedback.Progress big = board.start("dataset 'big': migrating samples", 150_000, "samples");

        pass(0.5);
        assertThat(board.frame()).as("a dataset's bar shows once it has run a second").hasSize(1);
        assertThat(board.frame().get(0)).contains(" 50% [", "1/2 datasets (0:00:00 / ");

        // no count moves: the clocks still tick
        pass(2);
        List<String> frame = board.frame();
        assertThat(frame).hasSize(2);
        assertThat(frame.get(0)).contains("1/2 datasets (0:00:02 / ");
        assertThat(frame.get(1)).startsWith("  dataset 'big': migrating samples   0% [")
                .contains("0/150,000 samples (0:00:02 / ? left) ? samples/s");

        big.advance(100_000);
        assertThat(board.frame().get(1)).contains(" 66% [", "100,000/150,000 samples (0:00:02 / 0:00:01 left)",
                "40,000 samples/s");
        pass(1);
        assertThat(board.frame().get(0)).contains("1/2 datasets (0:00:03 / ");
        assertThat(board.frame().get(1)).contains("100,000/150,000 samples (0:00:03 / 0:00:01 left)");

        big.advance(50_000);
        big.close();
        assertThat(board.frame()).as("a dataset's bar goes when it is done").hasSize(1);
        overall.advance(1);
        overall.close();
        assertThat(board.frame()).isEmpty();
        assertThat(printed()).as("the overall bar's last state stays on screen")
                .endsWith("100% [========================================] 2/2 datasets (0:00:03 / 0:00:00 left)"
                        + " 0.6 datasets/s" + System.lineSeparator());
    }

    @Test
    void aQuickTaskBelowTheTopLineNeverShows() {
        ProgressBoard board = board(160, true);
        Feedback.Progress overall = board.start("migrating 3 datasets to 0.3.0", 3, "datasets");
        Feedback.Progress small = board.start("dataset 'small': migrating samples", 10, "samples");
        pass(0.9);
        small.advance(10);
        board.repaint();
        small.close();
        overall.close();
        assertThat(printed()).doesNotContain("small");
    }

    @Test
    void eachRepaintRedrawsTheLinesInPlace() {
        ProgressBoard board = board(160, true);
        Feedback.Progress overall = board.start("overall", 2, "datasets");
        board.start("dataset 'big': migrating samples", 150_000, "samples");
        pass(1.5);
        bytes.reset();
        board.repaint();
        board.repaint();
        // the second frame goes back up over the first one's two lines and erases them
        assertThat(printed()).contains("samples/s\r\033[1A\033[Joverall");
        bytes.reset();
        board.notice("cairn: waiting for the dataset 'big'");
        assertThat(printed()).startsWith("\r\033[1A\033[Jcairn: waiting for the dataset 'big'" + System.lineSeparator()
                + "\r\033[Joverall");
        overall.close();
    }

    @Test
    void noLineIsAsWideAsTheTerminal() {
        ProgressBoard board = board(60, true);
        board.start("dataset '" + "a very long name".repeat(5) + "': migrating samples", 1_000_000, "samples");
        Feedback.Progress p = board.start("importing 'x'", 300L << 20, "bytes");
        pass(5);
        p.advance(100L << 20);
        assertThat(board.frame()).hasSize(2).allSatisfy(line -> assertThat(line.length()).isLessThan(60));
        assertThat(board.frame().get(1)).startsWith("  importing 'x'  33% ");
    }

    @Test
    void aTerminalThatCannotMoveTheCursorShowsTheTopLineAlone() {
        ProgressBoard board = board(100, false);
        board.start("migrating 2 datasets to 0.4.0", 2, "datasets");
        board.start("dataset 'big': migrating samples", 150_000, "samples");
        pass(3);
        board.repaint();
        assertThat(printed()).doesNotContain("\033").doesNotContain("big").contains("\rmigrating 2 datasets");
    }

    @Test
    void aTimerRedrawsTheBarsWhenNoCountMovesAndStopsWithTheLastTask() throws Exception {
        ProgressBoard board = new ProgressBoard(out, 100, true, ProgressBoard.Ticker.SYSTEM, Duration.ofMillis(10));
        Feedback.Progress p = board.start("waiting", 2, "datasets");
        awaitTrue(() -> printed().split("\033\\[J", -1).length > 3);
        p.close();
        assertThat(printed()).endsWith("0/2 datasets (0:00:00 / ? left) ? datasets/s" + System.lineSeparator());
        awaitTrue(() -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().equals("cairn-progress")));
    }

    /** Polls until a condition holds, for what another thread does; fails after 10 s. */
    private static void awaitTrue(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waited 10 s").isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void jsonAndPipesGetNoBars() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Context context = new Context(Map.of(), new java.io.ByteArrayInputStream(new byte[0]), out,
                new PrintStream(err, true, StandardCharsets.UTF_8));
        for (boolean json : new boolean[]{true, false}) {
            // no console here, as in a pipe; and --json never draws, console or not
            try (Feedback.Progress p = context.feedback(json).start("importing 'x'", 10, "bytes")) {
                assertThat(p).isSameAs(Feedback.Progress.NONE);
            }
        }
        assertThat(err.size()).isZero();
    }
}
