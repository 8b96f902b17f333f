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
     * Starts a task of {@code total} units ({@code -1} when unknown).
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
