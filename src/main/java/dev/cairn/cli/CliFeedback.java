package dev.cairn.cli;

import dev.cairn.api.Feedback;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress bars and notices on standard error, for people: bars only when standard error is a
 * terminal and the output is not JSON, so that scripts and pipes get clean output.
 */
final class CliFeedback implements Feedback {

    private final PrintStream err;
    private final boolean bars;
    private final boolean quiet;

    CliFeedback(PrintStream err, boolean bars, boolean quiet) {
        this.err = err;
        this.bars = bars;
        this.quiet = quiet;
    }

    static CliFeedback forTerminal(boolean json) {
        boolean terminal = System.console() != null && System.getenv("CAIRN_NO_PROGRESS") == null;
        return new CliFeedback(System.err, terminal && !json, false);
    }

    /** The bar on screen; a task started while it shows reports in its extra message instead. */
    private volatile ProgressBar showing;

    @Override
    public synchronized Progress start(String task, long total, String unit) {
        if (!bars) {
            return Progress.NONE;
        }
        ProgressBar outer = showing;
        if (outer != null) {
            return nested(outer, task, total);
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(err))
                .setUpdateIntervalMillis(200).showSpeed().setMaxRenderedLength(100);
        if (unit.equals("bytes")) {
            b.setUnit(" MB", 1 << 20);
        } else {
            b.setUnit(" " + unit, 1);
        }
        if (total < 0) {
            b.setInitialMax(-1);
        }
        b.setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS);
        ProgressBar bar = b.build();
        showing = bar;
        return new Progress() {
            @Override
            public void advance(long n) {
                bar.stepBy(n);
            }

            @Override
            public void total(long t) {
                bar.maxHint(t);
            }

            @Override
            public void close() {
                bar.close();
                synchronized (CliFeedback.this) {
                    if (showing == bar) {
                        showing = null;
                    }
                }
            }
        };
    }

    /** A task within the one on screen: its progress shows as the bar's extra message. */
    private static Progress nested(ProgressBar outer, String task, long total) {
        java.util.concurrent.atomic.AtomicLong done = new java.util.concurrent.atomic.AtomicLong();
        return new Progress() {
            @Override
            public void advance(long n) {
                long d = done.addAndGet(n);
                outer.setExtraMessage(total > 0 ? task + " " + Math.min(100, d * 100 / total) + "%" : task + " " + d);
            }

            @Override
            public void close() {
                outer.setExtraMessage("");
            }
        };
    }

    @Override
    public void notice(String message) {
        if (!quiet) {
            err.println("cairn: " + message);
        }
    }

    static String seconds(Duration d) {
        return String.format("%.2f s", d.toNanos() / 1e9);
    }
}
