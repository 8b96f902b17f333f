package dev.cairn.badinput;

import dev.cairn.api.CairnException;
import dev.cairn.cli.Main;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * One bad input, tried through the {@code cairn} command or the Java API on a database, with what
 * Cairn must do about it: refuse it, with the right exit status or {@link CairnException.Kind},
 * with a message that holds the words that say what is wrong (and what to do), without showing
 * secrets or raw control characters, and leave the database exactly as it was (its
 * {@link dev.cairn.testing.Backend#checksum content checksum} is taken before and compared after).
 *
 * <p>A few inputs look hostile but are valid, such as dataset names with quotes and semicolons
 * (names are bound as values, never written into SQL): for those, Cairn must store the text as it
 * is and keep every table intact, which the case checks before undoing it.
 *
 * <p>A case that shows Cairn misbehaving can be marked as a {@linkplain #knownFailure known
 * failure}: it still runs, and is reported as aborted with what went wrong; once Cairn does the
 * right thing the case fails, to have the mark removed.
 */
public final class BadInput {

    /** Builds the environment of a command from the database it is tried on. */
    @FunctionalInterface
    public interface Env {
        Map<String, String> of(Db db) throws Exception;
    }

    /** A call of the Java API. */
    @FunctionalInterface
    public interface Call {
        void run(Session session) throws Exception;
    }

    /** Checks what a valid hostile input did, then undoes it. */
    @FunctionalInterface
    public interface Undo {
        void run(Db db) throws Exception;
    }

    private final String group;
    private final String name;
    private final Outcome.Via via;
    private Supplier<Db> fixture = Fixtures.shared();
    private String[] args;
    private Env env = Db::env;
    private byte[] stdin = new byte[0];
    private Call call;
    private String[] preload = {};
    private final Set<Integer> exits = new TreeSet<>();
    private final Set<CairnException.Kind> kinds = EnumSet.noneOf(CairnException.Kind.class);
    private final List<String> says = new ArrayList<>();
    private final List<List<String>> saysOneOf = new ArrayList<>();
    private final List<String> doesNotSay = new ArrayList<>();
    private final List<String> hides = new ArrayList<>();
    private String stored;
    private Undo undo;
    private String knownFailure;

    private BadInput(String group, String name, Outcome.Via via) {
        this.group = group;
        this.name = name;
        this.via = via;
    }

    /** {@code cairn ARGS...}, as the admin of the shared database unless told otherwise. */
    public static BadInput cli(String group, String name, String... args) {
        BadInput c = new BadInput(group, name, Outcome.Via.CLI);
        c.args = args;
        return c;
    }

    /** A call of the Java API. */
    public static BadInput api(String group, String name, Call call) {
        BadInput c = new BadInput(group, name, Outcome.Via.API);
        c.call = call;
        return c;
    }

    /** The database the case is tried on (the shared one by default). */
    public BadInput on(Supplier<Db> fixture) {
        this.fixture = fixture;
        return this;
    }

    /** The command's environment (by default the one that reaches the database as its admin). */
    public BadInput env(Env env) {
        this.env = env;
        return this;
    }

    /** Variables added to the default environment. */
    public BadInput withEnv(String... pairs) {
        Env base = this.env;
        this.env = db -> {
            Map<String, String> e = base.of(db);
            for (int i = 0; i < pairs.length; i += 2) {
                e.put(pairs[i], pairs[i + 1]);
            }
            return e;
        };
        return this;
    }

    /** What the command reads on its standard input. */
    public BadInput stdin(byte[] bytes) {
        this.stdin = bytes.clone();
        return this;
    }

    /** Datasets loaded through the Java API before the checksum is taken (loading records the time). */
    public BadInput preload(String... datasets) {
        this.preload = datasets;
        return this;
    }

    /** The exit status it must end with (one of them, if several are right). */
    public BadInput exit(Integer... statuses) {
        exits.addAll(Arrays.asList(statuses));
        return this;
    }

    /** The kind of CairnException it must throw (one of them, if several are right). */
    public BadInput kind(CairnException.Kind... k) {
        kinds.addAll(Arrays.asList(k));
        return this;
    }

    /** Words the message must hold (case aside). */
    public BadInput says(String... words) {
        says.addAll(Arrays.asList(words));
        return this;
    }

    /** The message must hold at least one of these. */
    public BadInput saysOneOf(String... words) {
        saysOneOf.add(Arrays.asList(words));
        return this;
    }

    /** Words the message must not hold: advice that is wrong here, for instance. */
    public BadInput doesNotSay(String... words) {
        doesNotSay.addAll(Arrays.asList(words));
        return this;
    }

    /** A secret that neither the message nor the output may show. */
    public BadInput hides(String secret) {
        hides.add(secret);
        return this;
    }

    /**
     * A hostile but valid dataset name: Cairn must accept it and store exactly this text, with
     * every table intact; {@code undo} then puts the database back as it was.
     */
    public BadInput storedAsText(String datasetName, Undo undo) {
        this.stored = datasetName;
        this.undo = undo;
        return this;
    }

    /** Marks a case that Cairn fails today, with what it does wrong. */
    public BadInput knownFailure(String what) {
        this.knownFailure = what;
        return this;
    }

    public String group() {
        return group;
    }

    public Outcome.Via via() {
        return via;
    }

    public boolean isStoredAsText() {
        return stored != null;
    }

    public boolean isKnownFailure() {
        return knownFailure != null;
    }

    public String displayName() {
        return "[" + via + "] " + name;
    }

    /**
     * Tries the bad input and checks everything Cairn must do about it.
     *
     * @throws AssertionFailedError  if Cairn did not (or, for a known failure, if it now does)
     * @throws TestAbortedException  for a known failure that still fails as known
     */
    public void run() throws Exception {
        if (stored == null && (via == Outcome.Via.CLI ? exits.isEmpty() : kinds.isEmpty())) {
            throw new IllegalStateException(displayName() + " says nothing about how it must be refused");
        }
        Db db = fixture.get();
        List<String> problems = new ArrayList<>();
        Outcome outcome;
        try (Session session = new Session(db)) {
            for (String d : preload) {
                session.dataset(d);
            }
            String before = db.checksum();
            outcome = via == Outcome.Via.CLI ? runCli(env.of(db), stdin, args) : runApi(session);
            if (stored != null) {
                checkStored(db, outcome, problems);
                undo.run(db);
                if (!db.checksum().equals(before)) {
                    problems.add("after undoing it, the database is not as it was: the name did more than name a dataset");
                }
            } else {
                checkRefused(outcome, problems);
                if (!db.checksum().equals(before)) {
                    problems.add("the database changed (its content checksum differs from before the command)");
                }
            }
        }
        String report = displayName() + " on " + db.label() + "\n" + outcome;
        if (Boolean.getBoolean("badinput.show")) {
            // -Dbadinput.show=true prints what every case did, to review the messages
            System.out.println("=== " + group + " / " + report + (problems.isEmpty() ? "" : "\nPROBLEMS: " + problems));
        }
        if (knownFailure != null) {
            if (problems.isEmpty()) {
                throw new AssertionFailedError("marked as a known failure (" + knownFailure + "), but Cairn now does the"
                        + " right thing: remove the mark\n" + report);
            }
            throw new TestAbortedException("KNOWN FAILURE: " + knownFailure + "\n- " + String.join("\n- ", problems)
                    + "\n" + report);
        }
        if (!problems.isEmpty()) {
            throw new AssertionFailedError("- " + String.join("\n- ", problems) + "\n" + report);
        }
    }

    private void checkRefused(Outcome o, List<String> problems) {
        if (o.succeeded()) {
            problems.add("it was accepted (" + (via == Outcome.Via.CLI ? "exit 0" : "no exception") + ")");
        }
        if (via == Outcome.Via.CLI) {
            if (!exits.contains(o.exit())) {
                problems.add("exit " + o.exit() + ", expected " + (exits.size() == 1 ? exits.iterator().next()
                        : "one of " + exits));
            }
        } else if (o.unexpected() != null) {
            problems.add("threw " + o.unexpected().getClass().getName() + ", not a CairnException (expected "
                    + kinds + ")");
        } else if (o.kind() != null && !kinds.contains(o.kind())) {
            problems.add("threw a CairnException of kind " + o.kind() + ", expected " + (kinds.size() == 1
                    ? kinds.iterator().next() : "one of " + kinds));
        }
        String message = o.message();
        // what the user sees: a command's error on standard error, and the detail (a migration's
        // table of steps) on standard output
        String lower = (message + "\n" + o.output()).toLowerCase(Locale.ROOT);
        if (message.isBlank() && !o.succeeded()) {
            problems.add("there is no message");
        }
        for (String w : says) {
            if (!lower.contains(w.toLowerCase(Locale.ROOT))) {
                problems.add("the message does not say \"" + w + "\"");
            }
        }
        for (List<String> any : saysOneOf) {
            if (any.stream().noneMatch(w -> lower.contains(w.toLowerCase(Locale.ROOT)))) {
                problems.add("the message says none of " + any);
            }
        }
        for (String w : doesNotSay) {
            if (lower.contains(w.toLowerCase(Locale.ROOT))) {
                problems.add("the message says \"" + w + "\", which is wrong here");
            }
        }
        for (String secret : hides) {
            if (message.contains(secret) || o.output().contains(secret)) {
                problems.add("it shows the secret \"" + secret + "\"");
            }
        }
        hygiene(message, problems);
        hygiene(o.output(), problems);
    }

    /** What no message may hold: raw control characters, stack traces, "internal error", a library's own words. */
    static void hygiene(String message, List<String> problems) {
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f || c == '\u2028' || c == '\u2029') {
                problems.add(String.format("the message holds a raw control character (\\u%04x), which can garble a"
                        + " terminal", (int) c));
                break;
            }
        }
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("internal error")) {
            problems.add("the message reports an internal error");
        }
        if (message.contains("\tat ") || message.contains("Exception in thread") || message.contains("java.lang.")) {
            problems.add("the message shows a stack trace or Java internals");
        }
        for (String internal : new String[]{"com.fasterxml", "JsonReadFeature",
                "StreamReadFeature", "REDACTED", " (code ", "Duplicate field", "Source: ", "SQLSTATE", "ERROR:"}) {
            if (message.contains(internal)) {
                problems.add("the message shows a library's or PostgreSQL's own text (\"" + internal + "\")");
            }
        }
    }

    private void checkStored(Db db, Outcome o, List<String> problems) throws Exception {
        if (!o.succeeded()) {
            problems.add("a name with quotes, semicolons, dollars or backslashes is a valid name (README: any text of 1"
                    + " to 200 characters without control characters), but it was refused");
        }
        hygiene(o.message(), problems);
        List<String> matches = db.query("SELECT name FROM cairn.datasets WHERE name = ?", stored);
        if (o.succeeded() && matches.size() != 1) {
            problems.add("the dataset is not stored under exactly that name (found " + matches.size() + ")");
        }
        List<String> records = db.query("SELECT count(*) FROM cairn.database");
        if (!records.equals(List.of("1"))) {
            problems.add("cairn.database does not hold exactly one row any more: " + records);
        }
        List<String> tables = db.query("SELECT count(*) FROM pg_tables WHERE schemaname IN ('cairn', 'cairn_data')");
        if (Integer.parseInt(tables.get(0)) < 3) {
            problems.add("tables are missing: only " + tables.get(0) + " in the cairn and cairn_data schemas");
        }
    }

    private Outcome runApi(Session session) {
        try {
            call.run(session);
            return Outcome.returned();
        } catch (Throwable t) {
            return Outcome.threw(t);
        }
    }

    /**
     * Runs the {@code cairn} command in this JVM, with its own standard input; the JVM's
     * {@code System.in} is an empty stream meanwhile, so that a command that reads it instead
     * of its own input neither blocks nor takes the test runner's input.
     */
    static Outcome runCli(Map<String, String> env, byte[] stdin, String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        InputStream previous = System.in;
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setIn(new ByteArrayInputStream(new byte[0]));
            try {
                exit = Main.execute(args, env, new ByteArrayInputStream(stdin), o, e);
            } catch (Throwable t) {
                e.println("(the command threw instead of exiting) " + t);
                exit = -1;
            } finally {
                System.setIn(previous);
            }
        }
        return Outcome.cli(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
