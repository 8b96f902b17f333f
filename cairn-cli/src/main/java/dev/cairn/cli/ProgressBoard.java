package dev.cairn.cli;

import dev.cairn.api.Feedback;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The progress bars of one command on a terminal, one line a task, redrawn in place. The task
 * started first is the top line (the overall bar of {@code migrate --all}); tasks started while
 * it runs (each large dataset's samples, on the workers) are lines below it, shown once they
 * have run for {@link #NESTED_AFTER} so that quick ones do not flicker, and gone when they end.
 *
 * <p>Lines are redrawn on a timer, not only when a count moves: a dataset's batch can take many
 * seconds, and the clocks must tick meanwhile. Time comes from a {@link Ticker}, so that what a
 * line says at a given moment is testable without waiting.
 */
final class ProgressBoard {

    /** Where the board reads the time: {@link System#nanoTime()} but in tests. */
    interface Ticker {
        Ticker SYSTEM = System::nanoTime;

        long nanos();
    }

    static final Duration NESTED_AFTER = Duration.ofSeconds(1);

    private static final String ERASE_DOWN = "\033[J";

    private final PrintStream out;
    private final int width;
    private final boolean cursorMoves;
    private final Ticker ticker;
    private final Duration refreshEvery;
    private final List<Line> lines = new ArrayList<>();
    /** How many lines the last frame drew; the cursor is at the end of its last line. */
    private int drawn;
    private ScheduledExecutorService timer;

    /**
     * @param width        the terminal's columns: no line is drawn as wide, so none wraps
     * @param cursorMoves  whether the terminal moves the cursor up and erases (ANSI); if not,
     *                     only the top line shows, redrawn after a carriage return
     * @param refreshEvery how often a thread redraws the board while a task runs, or
     *                     {@code null} for no thread (then only {@link #repaint()} draws)
     */
    ProgressBoard(PrintStream out, int width, boolean cursorMoves, Ticker ticker, Duration refreshEvery) {
        this.out = out;
        this.width = Math.max(20, width);
        this.cursorMoves = cursorMoves;
        this.ticker = ticker;
        this.refreshEvery = refreshEvery;
    }

    synchronized Feedback.Progress start(String task, long total, String unit) {
        Line line = new Line(task, total, unit, ticker.nanos());
        lines.add(line);
        if (refreshEvery != null && timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "cairn-progress");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::repaint, 0, refreshEvery.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            repaint();
        }
        return new Feedback.Progress() {
            @Override
            public void advance(long n) {
                line.done.addAndGet(n);
            }

            @Override
            public void total(long total) {
                line.total = total;
            }

            @Override
            public void close() {
                finish(line);
            }
        };
    }

    /** Prints a message above the bars, which are drawn again below it. */
    synchronized void notice(String message) {
        erase();
        out.println(message);
        drawn = 0;
        repaint();
    }

    /** Draws every line as it is now. */
    synchronized void repaint() {
        List<String> frame = frame();
        if (frame.isEmpty() && drawn == 0) {
            return;
        }
        StringBuilder b = new StringBuilder();
        if (cursorMoves) {
            b.append(up()).append(ERASE_DOWN).append(String.join("\n", frame));
            drawn = frame.size();
        } else if (!frame.isEmpty()) {
            String top = frame.get(0);
            b.append('\r').append(top).append(" ".repeat(Math.max(0, width - 1 - top.length())));
            drawn = 1;
        }
        out.print(b);
        out.flush();
    }

    /** The lines that the board shows now, top first. */
    synchronized List<String> frame() {
        long now = ticker.nanos();
        List<String> frame = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Line line = lines.get(i);
            if (i == 0) {
                frame.add(render(line, "", now));
            } else if (cursorMoves && now - line.started >= NESTED_AFTER.toNanos()) {
                frame.add(render(line, "  ", now));
            }
        }
        return frame;
    }

    private synchronized void finish(Line line) {
        int at = lines.indexOf(line);
        if (at < 0) {
            return;
        }
        if (at == 0) {
            // the top task ends: its last state stays on screen, and what still runs starts anew below it
            erase();
            out.println(render(line, "", ticker.nanos()));
            drawn = 0;
        }
        lines.remove(at);
        if (lines.isEmpty() && timer != null) {
            timer.shutdown();
            timer = null;
        }
        repaint();
    }

    /** Moves the cursor to the start of the board's first line. */
    private String up() {
        return "\r" + (drawn > 1 ? "\033[" + (drawn - 1) + "A" : "");
    }

    private void erase() {
        if (drawn > 0) {
            out.print(cursorMoves ? up() + ERASE_DOWN : "\r" + " ".repeat(width - 1) + "\r");
        }
    }

    /** One task as a line: name, percent, bar, counts, elapsed and left, speed; cut to the terminal's width. */
    String render(Line line, String indent, long now) {
        long done = line.done.get();
        long total = line.total;
        Duration elapsed = Duration.ofNanos(Math.max(0, now - line.started));
        double seconds = elapsed.toNanos() / 1e9;
        StringBuilder counts = new StringBuilder();
        counts.append(amount(done, line.unit));
        if (total >= 0) {
            counts.append('/').append(amount(total, line.unit));
        }
        counts.append(' ').append(unitName(line.unit)).append(" (").append(clock(elapsed));
        if (total >= 0) {
            counts.append(" / ").append(done > 0 && seconds > 0 ? clock(Duration.ofNanos((long)
                    (Math.max(0, total - done) * (elapsed.toNanos() / (double) done)))) : "?").append(" left");
        }
        counts.append(") ").append(done > 0 && seconds > 0 ? rate(done / seconds, line.unit) : "?")
                .append(' ').append(unitName(line.unit)).append("/s");
        String head = indent + line.task;
        String text;
        if (total > 0) {
            int percent = (int) Math.min(100, done * 100 / total);
            String start = head + String.format(Locale.ROOT, " %3d%% ", percent);
            int room = width - 1 - start.length() - counts.length() - 3;
            int bar = Math.min(40, room);
            text = bar >= 10 ? start + "[" + bar(done, total, bar) + "] " + counts : start + counts;
        } else {
            text = head + " " + counts;
        }
        return text.length() < width ? text : text.substring(0, width - 1);
    }

    private static String bar(long done, long total, int length) {
        int full = (int) Math.min(length, done * length / total);
        return "=".repeat(full) + (full < length ? ">" + " ".repeat(length - full - 1) : "");
    }

    private static String amount(long n, String unit) {
        return unit.equals("bytes") ? String.format(Locale.ROOT, "%.1f", n / (double) (1 << 20))
                : String.format(Locale.ROOT, "%,d", n);
    }

    private static String rate(double perSecond, String unit) {
        return unit.equals("bytes") || perSecond >= 10 ? amount((long) perSecond, unit)
                : String.format(Locale.ROOT, "%.1f", perSecond);
    }

    private static String unitName(String unit) {
        return unit.equals("bytes") ? "MB" : unit;
    }

    static String clock(Duration d) {
        long s = d.toSeconds();
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** One task's state: written by the thread doing the work, read by the one drawing. */
    static final class Line {
        final String task;
        final String unit;
        final long started;
        final AtomicLong done = new AtomicLong();
        volatile long total;

        Line(String task, long total, String unit, long started) {
            this.task = task;
            this.total = total;
            this.unit = unit;
            this.started = started;
        }
    }
}
