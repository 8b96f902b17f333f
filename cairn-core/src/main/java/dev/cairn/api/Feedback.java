package dev.cairn.api;

/**
 * How long work tells its caller what is happening: progress of a known amount of work, and
 * notices such as "waiting for the admin's migration". The CLI draws progress bars from it; the
 * default does nothing.
 */
public interface Feedback {

    Feedback NONE = new Feedback() {
    };

    /** One task's progress. */
    interface Progress extends AutoCloseable {
        Progress NONE = new Progress() {
            @Override
            public void advance(long n) {
            }
        };

        void advance(long n);

        /** Sets the total when it is learned late or changes. */
        default void total(long total) {
        }

        @Override
        default void close() {
        }
    }

    /**
     * Starts a task of {@code total} units ({@code -1} when unknown). Tasks may run at once, from
     * several threads: one started while another is open is part of it (a dataset's samples
     * within the datasets of {@code migrate --all}), and the CLI draws it as a bar below.
     *
     * @param unit what is counted: "samples", "bytes", "datasets"
     */
    default Progress start(String task, long total, String unit) {
        return Progress.NONE;
    }

    /** Something the user should know now, such as why the client is waiting. */
    default void notice(String message) {
    }
}
