package dev.cairn;

import dev.cairn.api.CairnConfig;
import dev.cairn.api.Classification;
import dev.cairn.api.FieldType;
import dev.cairn.api.Sample;
import dev.cairn.api.Version;
import dev.cairn.api.migration.MigrationRequest;
import dev.cairn.badinput.BadInput;
import dev.cairn.badinput.Db;
import dev.cairn.badinput.Fixtures;
import dev.cairn.badinput.Outcome;
import dev.cairn.testing.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static dev.cairn.api.CairnException.Kind.ALREADY_EXISTS;
import static dev.cairn.api.CairnException.Kind.CONFIGURATION;
import static dev.cairn.api.CairnException.Kind.DAMAGED;
import static dev.cairn.api.CairnException.Kind.INVALID_INPUT;
import static dev.cairn.api.CairnException.Kind.NOT_FOUND;
import static dev.cairn.api.CairnException.Kind.REFUSED;
import static dev.cairn.api.CairnException.Kind.UNAVAILABLE;
import static dev.cairn.badinput.BadInput.api;
import static dev.cairn.badinput.BadInput.cli;


/**
 * The bad-input corpus: every kind of wrong input a user can give Cairn, through the command line
 * and the Java API, in one list. Each case checks that Cairn refuses it with the right exit status
 * (2 wrong command line, 3 refused, 4 bad input or not found, 5 configuration or database
 * unreachable, 6 database damaged) or {@code CairnException} kind, with a message that says what is
 * wrong and what to do, and leaves the database exactly as it was (same content checksum). The
 * few hostile inputs that are valid (dataset names with quotes, semicolons, dollars, backslashes)
 * must be stored as plain text with every table intact.
 *
 * <p>A case that shows Cairn misbehaving today is marked as a known failure: it runs, is reported as
 * skipped with what goes wrong, and fails once Cairn does the right thing, so that the mark is
 * removed. {@code -Dbadinput.show=true} prints what every case did, to review the messages. At
 * the end a one-line summary says how many bad inputs were tried and how they ended.
 *
 * <p>Other tests cover some of these too (CliTest, MigrateCommandTest, JsonLinesTest,
 * ConnectionErrorsTest, api/*Test); this is the one place that lists them all.
 */
class BadInputCorpusTest {

    private static final AtomicInteger REFUSED_CLI = new AtomicInteger();
    private static final AtomicInteger REFUSED_API = new AtomicInteger();
    private static final AtomicInteger STORED = new AtomicInteger();
    private static final AtomicInteger FAILED = new AtomicInteger();
    private static final List<String> KNOWN = new ArrayList<>();
    private static long started;

    /** This release's data model versions and its release table, as messages list them. */
    private static final String VERSIONS = "0.1.0, 0.2.0, 0.3.0, 0.4.0";
    private static final String RELEASES = dev.cairn.model.CairnModel.shipped().releases().stream()
            .map(r -> r.release().toString()).collect(java.util.stream.Collectors.joining(", "));

    /** Dataset names that look like SQL injection but are valid names: they must be stored as plain text. */
    private static final String[] INJECTIONS = {
            "x'; DROP TABLE cairn.datasets; --",
            "\"; DELETE FROM cairn.database; --",
            "$$",
            "$$; DROP SCHEMA cairn CASCADE; $$",
            "\\'; DROP TABLE cairn.datasets; --",
            "C:\\new\\table\\",
            "samples_1\"; DROP TABLE cairn_data.\"samples_1",
    };

    @TestFactory
    List<DynamicNode> corpus() {
        started = System.nanoTime();
        Map<String, List<BadInput>> groups = new LinkedHashMap<>();
        for (BadInput c : cases()) {
            groups.computeIfAbsent(c.group(), g -> new ArrayList<>()).add(c);
        }
        List<DynamicNode> nodes = new ArrayList<>();
        groups.forEach((group, list) -> nodes.add(DynamicContainer.dynamicContainer(group,
                list.stream().map(c -> DynamicTest.dynamicTest(c.displayName(), () -> tally(c))))));
        return nodes;
    }

    private static void tally(BadInput c) throws Exception {
        try {
            c.run();
        } catch (TestAbortedException known) {
            synchronized (KNOWN) {
                KNOWN.add(c.displayName());
            }
            throw known;
        } catch (Throwable t) {
            FAILED.incrementAndGet();
            throw t;
        }
        if (c.isStoredAsText()) {
            STORED.incrementAndGet();
        } else if (c.via() == Outcome.Via.CLI) {
            REFUSED_CLI.incrementAndGet();
        } else {
            REFUSED_API.incrementAndGet();
        }
    }

    @AfterAll
    static void summary() {
        int cli = REFUSED_CLI.get();
        int api = REFUSED_API.get();
        StringBuilder s = new StringBuilder();
        s.append(cli + api).append(" bad inputs tried: ").append(cli).append(" via CLI, ").append(api)
                .append(" via Java API; every one refused with a message, non-zero exit, database unchanged");
        s.append(" (and ").append(STORED.get()).append(" hostile but valid dataset names stored as plain text, every"
                + " table intact)");
        if (!KNOWN.isEmpty()) {
            s.append("; ").append(KNOWN.size()).append(" known failures, not counted");
        }
        if (FAILED.get() > 0) {
            s.append("; ").append(FAILED.get()).append(" FAILED");
        }
        s.append(String.format(" [%s backend, %.0f s]", Backend.name(), (System.nanoTime() - started) / 1e9));
        System.out.println(s);
        for (String k : KNOWN) {
            System.out.println("  known failure: " + k);
        }
    }

    // ------------------------------------------------------------------------------------------

    private static List<BadInput> cases() {
        List<BadInput> all = new ArrayList<>();
        all.addAll(versions());
        all.addAll(datasetNames());
        all.addAll(uris());
        all.addAll(passwords());
        all.addAll(configuration());
        all.addAll(imports());
        all.addAll(values());
        all.addAll(tampered());
        return all;
    }

    /** A text safe to show in a case's name. */
    private static String show(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && out.length() < 50; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '\u2028' || Character.isSurrogate(c) || c == '\u00a0'
                    ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return "\"" + out + (s.length() > 50 ? "…\" (" + s.length() + " chars)" : "\"");
    }

    // --- versions: cairn migrate -v / --release, CAIRN_CLIENT_RELEASE, and the Java API ---------

    private static List<BadInput> versions() {
        String g = "versions";
        List<BadInput> c = new ArrayList<>();
        for (String v : new String[]{"", "1", "1.2.3.4", "-1", "0.2.x", "１.２.３"}) {
            c.add(cli(g, "migrate -v " + show(v), "migrate", "-v", v).exit(4)
                    .says("is not a data model version", "MAJOR.MINOR.PATCH", VERSIONS, RELEASES));
        }
        c.add(cli(g, "migrate -v v0.2", "migrate", "-v", "v0.2").exit(4)
                .says("'v0.2' is not a data model version", "without the leading 'v'"));
        c.add(cli(g, "migrate --all -v 9.0.0 (a future version)", "migrate", "--all", "-v", "9.0.0").exit(3)
                .says("9.0.0", "newer than this client", "newer release"));
        // a well-formed version that is none of the data model's is bad input, as a malformed one is: one code
        c.add(cli(g, "migrate -v 0.2.5 (between data model versions)", "migrate", "-v", "0.2.5").exit(4)
                .says("0.2.5 is not a data model version", VERSIONS, "cairn releases"));
        c.add(cli(g, "migrate --all --plan -v 0.3.1 (well-formed, no such version)", "migrate", "--all", "--plan", "-v",
                "0.3.1").exit(4).says("0.3.1 is not a data model version", VERSIONS, "cairn releases"));
        c.add(cli(g, "migrate --all --plan -v 0.4 (malformed)", "migrate", "--all", "--plan", "-v", "0.4").exit(4)
                .says("'0.4' is not a data model version", VERSIONS, RELEASES, "cairn releases"));
        c.add(cli(g, "migrate --release 0.2.7 (an unknown release)", "migrate", "--release", "0.2.7").exit(4)
                .says("no Cairn release 0.2.7", RELEASES));
        c.add(cli(g, "migrate --all --release 0.2.5 (between releases)", "migrate", "--all", "--release", "0.2.5").exit(4)
                .says("no Cairn release 0.2.5", RELEASES));
        c.add(cli(g, "migrate --release 9.0.0 (a future release)", "migrate", "--release", "9.0.0").exit(3)
                .says("release 9.0.0 is newer than this client", "run the migration with release 9.0.0"));
        c.add(cli(g, "migrate --release v0.2", "migrate", "--release", "v0.2").exit(4)
                .says("'v0.2' is not a release", "without the leading 'v'", RELEASES));
        for (String n : new String[]{"-5", "0"}) {
            c.add(cli(g, "migrate --history --limit " + n, "migrate", "--history", "--limit", n).exit(4)
                    .says("limit", "1 or more, not " + n));
        }
        c.add(cli(g, "migrate --release \"\"", "migrate", "--release", "").exit(4)
                .says("is not a release", "MAJOR.MINOR.PATCH"));
        c.add(cli(g, "migrate -v 0.3.0 --release 0.3.0 (both)", "migrate", "-v", "0.3.0", "--release", "0.3.0").exit(2)
                .says("mutually exclusive"));
        c.add(cli(g, "migrate -v (no version)", "migrate", "-v").exit(2).says("Missing required parameter", "VERSION"));

        // CAIRN_CLIENT_RELEASE is a setting: a wrong one is a configuration error (exit 5), as with every other setting
        String config = "CAIRN_CLIENT_RELEASE is a setting, and a wrong setting is a configuration error (exit 5, as"
                + " for CAIRN_DATABASE_ADMIN=maybe or CAIRN_POOL_SIZE=0); Cairn exits 4";
        for (String v : new String[]{"", "1", "1.2.3.4", "v0.2", "-1", "0.2.x"}) {
            c.add(cli(g, "CAIRN_CLIENT_RELEASE=" + show(v) + " cairn datasets create probe", "datasets", "create", "probe")
                    .withEnv("CAIRN_CLIENT_RELEASE", v).exit(5).says("CAIRN_CLIENT_RELEASE", "MAJOR.MINOR.PATCH")
                    );
        }
        String unknown = config + ", and its message does not say where the release came from (CAIRN_CLIENT_RELEASE)";
        for (String v : new String[]{"0.2.7", "0.2.5", "9.0.0"}) {
            c.add(cli(g, "CAIRN_CLIENT_RELEASE=" + v + " (no such release) cairn datasets create probe", "datasets",
                    "create", "probe").withEnv("CAIRN_CLIENT_RELEASE", v).exit(5)
                    .says("CAIRN_CLIENT_RELEASE", v, RELEASES));
        }

        for (String v : new String[]{"1.2.3.4", "0.2.x", "", "-1"}) {
            c.add(api(g, "Version.parse(" + show(v) + ")", s -> Version.parse(v)).kind(INVALID_INPUT)
                    .says("MAJOR.MINOR.PATCH"));
        }
        c.add(api(g, "Version.parse(\"v0.2\")", s -> Version.parse("v0.2")).kind(INVALID_INPUT)
                .says("without the leading 'v'"));
        c.add(api(g, "Version.parse(null)", s -> Version.parse(null, "release")).kind(INVALID_INPUT)
                .says("release is missing", "such as 0.3.0"));
        c.add(api(g, "Version.of(-1, 0, 0)", s -> Version.of(-1, 0, 0)).kind(INVALID_INPUT).says("negative")
                );
        c.add(api(g, "CairnConfig.builder().clientRelease(\"0.2.x\")", s -> CairnConfig.builder().clientRelease("0.2.x"))
                .kind(INVALID_INPUT).says("'0.2.x' is not a release", "MAJOR.MINOR.PATCH"));
        for (String r : new String[]{"0.2.7", "9.0.0"}) {
            c.add(api(g, "Cairn.open as the client of release " + r + " (no such release)",
                    s -> Cairn.open(s.config().toBuilder().clientRelease(r).build()).close())
                    .kind(NOT_FOUND, CONFIGURATION).says("no Cairn release " + r, RELEASES));
        }
        c.add(api(g, "Migrations.migrate(--all to data model 9.0.0)", s -> {
            try (Migrations m = Migrations.open(s.config(), dev.cairn.api.Feedback.NONE)) {
                m.migrate(MigrationRequest.all().to(Version.parse("9.0.0")));
            }
        }).kind(REFUSED).says("9.0.0 is newer than this client", "newer release"));
        c.add(api(g, "Migrations.migrate(--all to release 0.2.7)", s -> {
            try (Migrations m = Migrations.open(s.config(), dev.cairn.api.Feedback.NONE)) {
                m.migrate(MigrationRequest.all().toRelease(Version.parse("0.2.7")));
            }
        }).kind(INVALID_INPUT).says("no Cairn release 0.2.7", RELEASES));
        c.add(api(g, "Migrations.plan(to data model 0.2.5)", s -> {
            try (Migrations m = Migrations.open(s.config(), dev.cairn.api.Feedback.NONE)) {
                m.plan(MigrationRequest.database().to(Version.parse("0.2.5")));
            }
        }).kind(INVALID_INPUT).says("0.2.5 is not a data model version", VERSIONS));
        c.add(api(g, "Migrations.history(-5)", s -> {
            try (Migrations m = Migrations.open(s.config(), dev.cairn.api.Feedback.NONE)) {
                m.history(-5, null);
            }
        }).kind(INVALID_INPUT).says("limit", "1 or more, not -5"));
        c.add(api(g, "MigrationRequest with both a version and a release", s -> new MigrationRequest(
                MigrationRequest.Scope.ALL, List.of(), Version.parse("0.3.0"), Version.parse("0.3.0"), 0, 1))
                .kind(INVALID_INPUT).says("either as a data model version or as a release, not both"));
        c.add(api(g, "MigrationRequest.all().errorLevel(7)", s -> MigrationRequest.all().errorLevel(7))
                .kind(INVALID_INPUT).says("error level is 0 (stop), 1 (warn and go on) or 2"));
        c.add(api(g, "MigrationRequest.named() without a name", s -> MigrationRequest.named())
                .kind(INVALID_INPUT).says("name at least one dataset"));
        return c;
    }

    // --- dataset names ---------------------------------------------------------------------------

    private static List<BadInput> datasetNames() {
        String g = "dataset names";
        List<BadInput> c = new ArrayList<>();
        // hostile but valid: stored as plain text, every table intact
        for (int i = 0; i < INJECTIONS.length; i++) {
            String name = INJECTIONS[i];
            c.add(cli(g, "datasets create " + show(name), "datasets", "create", name)
                    .storedAsText(name, db -> deleteDataset(db, name)));
        }
        c.add(cli(g, "datasets rename pets " + show(INJECTIONS[0]), "datasets", "rename", "pets", INJECTIONS[0])
                .storedAsText(INJECTIONS[0], db -> {
                    try (Cairn cairn = Cairn.open(db.config())) {
                        cairn.rename(INJECTIONS[0], "pets");
                    }
                }));
        c.add(cli(g, "datasets clone pets " + show(INJECTIONS[1]), "datasets", "clone", "pets", INJECTIONS[1])
                .storedAsText(INJECTIONS[1], db -> deleteDataset(db, INJECTIONS[1])));
        c.add(cli(g, "import --name " + show(INJECTIONS[3]), "import", file("good.jsonl"), "--name", INJECTIONS[3])
                .storedAsText(INJECTIONS[3], db -> deleteDataset(db, INJECTIONS[3])));
        c.add(api(g, "create(" + show(INJECTIONS[6]) + ")", s -> s.cairn().create(INJECTIONS[6]))
                .storedAsText(INJECTIONS[6], db -> deleteDataset(db, INJECTIONS[6])));

        // names that cannot be names
        String tenThousand = "x".repeat(10_000);
        c.add(cli(g, "datasets create " + show(tenThousand), "datasets", "create", tenThousand).exit(4)
                .says("dataset name", "too long", "at most 200 characters", "(10000 characters)"));
        c.add(cli(g, "datasets create " + show("y".repeat(201)), "datasets", "create", "y".repeat(201)).exit(4)
                .says("too long", "at most 200 characters"));
        c.add(cli(g, "datasets create " + show("line\nbreak"), "datasets", "create", "line\nbreak").exit(4)
                .says("dataset name", "contains a control character (\\u000a)"));
        c.add(cli(g, "datasets create " + show("tab\there"), "datasets", "create", "tab\there").exit(4)
                .says("dataset name", "control character (\\u0009)"));
        c.add(cli(g, "datasets rename pets " + show("nul\u0000byte"), "datasets", "rename", "pets", "nul\u0000byte")
                .exit(4).says("dataset name", "control character (\\u0000)"));
        String esc = "esc\u001b[2J\u001b[31mred";
        c.add(cli(g, "datasets clone pets " + show(esc), "datasets", "clone", "pets", esc).exit(4)
                .says("dataset name", "control character (\\u001b)"));
        c.add(cli(g, "import --name " + show("sep\u2028arator"), "import", file("good.jsonl"), "--name",
                "sep\u2028arator").exit(4).says("dataset name", "control character (\\u2028)"));
        c.add(cli(g, "datasets create \"\"", "datasets", "create", "").exit(4).says("dataset name cannot be empty"));
        c.add(cli(g, "import --name \"\"", "import", file("good.jsonl"), "--name", "").exit(4)
                .says("dataset name cannot be empty"));
        c.add(cli(g, "datasets create \" lead\"", "datasets", "create", " lead").exit(4)
                .says("dataset name", "starts or ends with a blank"));
        c.add(cli(g, "datasets rename pets \"trail \"", "datasets", "rename", "pets", "trail ").exit(4)
                .says("dataset name", "starts or ends with a blank"));
        c.add(cli(g, "datasets clone pets " + show("\u00a0nbsp"), "datasets", "clone", "pets", "\u00a0nbsp").exit(4)
                .says("dataset name", "starts or ends with a blank"));
        c.add(cli(g, "import (a header whose name holds BEL)", "import", file("bel-name.jsonl")).exit(4)
                .says("dataset name", "control character (\\u0007)"));
        c.add(cli(g, "datasets create pets (exists)", "datasets", "create", "pets").exit(4)
                .says("a dataset named 'pets' exists already"));
        c.add(cli(g, "datasets rename pets empty (exists)", "datasets", "rename", "pets", "empty").exit(4)
                .says("'empty' exists already", "'pets' keeps its name"));
        c.add(cli(g, "datasets clone pets empty (exists)", "datasets", "clone", "pets", "empty").exit(4)
                .says("'empty' exists already"));
        c.add(cli(g, "datasets rename \"no such\" new", "datasets", "rename", "no such", "new").exit(4)
                .says("no dataset named 'no such'", "cairn datasets list"));

        // names of datasets that are not there: not found, and never SQL
        c.add(cli(g, "export " + show(tenThousand), "export", tenThousand).exit(4)
                .says("no dataset named", "(10000 characters)", "cairn datasets list"));
        c.add(cli(g, "export " + show(INJECTIONS[0]), "export", INJECTIONS[0]).exit(4)
                .says("no dataset named 'x'; DROP TABLE cairn.datasets; --'"));
        String escInfo = "\u001b]0;pwned\u0007\u001b[2J";
        c.add(cli(g, "datasets info " + show(escInfo), "datasets", "info", escInfo).exit(4)
                .says("no dataset named", "\\u001b", "cairn datasets list"));
        c.add(cli(g, "datasets info " + show(INJECTIONS[1]), "datasets", "info", INJECTIONS[1]).exit(4)
                .says("no dataset named '\"; DELETE FROM cairn.database; --'"));
        c.add(cli(g, "datasets delete " + show(INJECTIONS[0]) + " --yes", "datasets", "delete", INJECTIONS[0], "--yes")
                .exit(4).says("no dataset named"));
        c.add(cli(g, "migrate -n " + show(INJECTIONS[0]), "migrate", "-n", INJECTIONS[0]).exit(4)
                .says("no dataset named 'x'; DROP TABLE cairn.datasets; --'", "nothing was changed"));
        c.add(cli(g, "migrate -n pets " + show("$$"), "migrate", "-n", "pets", "$$").exit(4)
                .says("no dataset named '$$'", "nothing was changed"));
        c.add(cli(g, "migrate -n \"\"", "migrate", "-n", "").exit(4).says("no dataset named ''"));

        // the Java API takes any Java string, lone surrogates and null included
        c.add(api(g, "create(" + show("\ud800x") + ") (a lone high surrogate)", s -> s.cairn().create("\ud800x"))
                .kind(INVALID_INPUT).says("dataset name", "not valid Unicode (a lone surrogate)"));
        c.add(api(g, "create(" + show("x\udc00") + ") (a lone low surrogate)", s -> s.cairn().create("x\udc00"))
                .kind(INVALID_INPUT).says("not valid Unicode"));
        c.add(api(g, "rename(pets, " + show("cat \ud83d") + ")", s -> s.cairn().rename("pets", "cat \ud83d"))
                .kind(INVALID_INPUT).says("not valid Unicode"));
        c.add(api(g, "clone(pets, " + show("\udfff") + ")", s -> s.cairn().clone("pets", "\udfff"))
                .kind(INVALID_INPUT).says("not valid Unicode"));
        c.add(api(g, "importLines(name " + show("\ud800") + ")", s -> importText(s, good(), "\ud800"))
                .kind(INVALID_INPUT).says("not valid Unicode"));
        c.add(api(g, "create(null)", s -> s.cairn().create(null)).kind(INVALID_INPUT).says("dataset name cannot be empty"));
        c.add(api(g, "rename(pets, null)", s -> s.cairn().rename("pets", null)).kind(INVALID_INPUT)
                .says("dataset name cannot be empty"));
        c.add(api(g, "create(" + show("\u001b[2J") + ")", s -> s.cairn().create("\u001b[2J")).kind(INVALID_INPUT)
                .says("control character (\\u001b)"));
        c.add(api(g, "dataset(" + show(INJECTIONS[4]) + ") (not there)", s -> s.cairn().dataset(INJECTIONS[4]))
                .kind(NOT_FOUND).says("no dataset named"));
        c.add(api(g, "dataset(" + show("\ud800") + ") (not there, and no name)", s -> s.cairn().dataset("\ud800"))
                .kind(NOT_FOUND, INVALID_INPUT).saysOneOf("no dataset named", "not valid Unicode"));
        return c;
    }

    private static void deleteDataset(Db db, String name) {
        try (Cairn cairn = Cairn.open(db.config())) {
            if (!cairn.delete(name)) {
                throw new AssertionError("no dataset " + show(name) + " to delete");
            }
        }
    }

    // --- URIs --------------------------------------------------------------------------------------

    private static BadInput uri(String name, String uri) {
        return cli("database URIs", "CAIRN_DATABASE_URI=" + name + " cairn datasets create probe", "datasets", "create",
                "probe").env(db -> {
                    Map<String, String> env = db.sharedEnv(Backend.scratch("uri"));
                    env.put("CAIRN_DATABASE_URI", uri);
                    env.put("CAIRN_DATABASE_ADMIN", "true");
                    return env;
                }).exit(5).says("CAIRN_DATABASE_URI");
    }

    private static List<BadInput> uris() {
        String g = "database URIs";
        String forms = "postgresql://USER:PASSWORD@HOST:PORT/DATABASE";
        List<BadInput> c = new ArrayList<>();
        c.add(uri("\"not a uri\"", "not a uri").says("is not a PostgreSQL URI", forms));
        c.add(uri("mysql://…", "mysql://root:hunter2@localhost:3306/cairn").says("is not a PostgreSQL URI", forms)
                .hides("hunter2"));
        c.add(uri("postgresql:///cairn (no host)", "postgresql:///cairn").says("names no host", forms));
        c.add(uri("postgresql://u:hunter2@localhost:5432 (no database)", "postgresql://u:hunter2@localhost:5432")
                .says("names no database", forms).hides("hunter2"));
        c.add(uri("postgresql://localhost/ (no database)", "postgresql://localhost/").says("names no database"));
        c.add(uri("…:99999 (port too big)", "postgresql://localhost:99999/cairn").says("invalid port '99999'",
                "a port is a number from 1 to 65535"));
        c.add(uri("…:abc (port not a number)", "postgresql://localhost:abc/cairn").says("invalid port 'abc'",
                "from 1 to 65535"));
        c.add(uri("…/ca%zzirn (malformed %-escape)", "postgresql://localhost/ca%zzirn").says("malformed %-escape"));
        c.add(uri("…u:s3cr%t@… (a malformed %-escape in the password)", "postgresql://u:s3cr%t@localhost/cairn")
                .says("malformed %-escape", "password").hides("s3c")
                );
        c.add(uri("jdbc:postgresql://u:pw@… (user before the host)", "jdbc:postgresql://u:hunter2@localhost/cairn")
                .says("jdbc: URI takes the user and password as options").hides("hunter2"));
        c.add(uri("postgresql://h/db?=x (an option without a name)", "postgresql://localhost/cairn?=x")
                .says("option without a name"));
        int closed = closedPort();
        c.add(uri("postgresql://…@127.0.0.1:" + closed + "/cairn (nothing listens)",
                "postgresql://u:hunter2@127.0.0.1:" + closed + "/cairn")
                .says("cannot connect", "127.0.0.1:" + closed, "check CAIRN_DATABASE_URI").hides("hunter2"));
        c.add(uri("postgresql://…@no-such-host.invalid/cairn (unknown host)",
                "postgresql://u:hunter2@no-such-host.invalid/cairn")
                .says("cannot connect", "no-such-host.invalid", "check CAIRN_DATABASE_URI").hides("hunter2"));
        c.add(cli(g, "CAIRN_DATABASE_URI naming a database the server does not have", "datasets", "create", "probe")
                .env(db -> {
                    Map<String, String> env = db.sharedEnv(Backend.scratch("uri"));
                    Db.Server s = db.server();
                    env.put("CAIRN_DATABASE_URI", s.uri(s.user(), s.password(), "no_such_database"));
                    env.put("CAIRN_DATABASE_ADMIN", "true");
                    return env;
                }).exit(5).says("no_such_database", "createdb", "CAIRN_DATABASE_URI"));

        c.add(api(g, "CairnConfig.builder().databaseUri(\"mysql://…\")",
                s -> CairnConfig.builder().databaseUri("mysql://root:hunter2@h/db")).kind(CONFIGURATION)
                .says("not a PostgreSQL URI", forms).hides("hunter2"));
        c.add(api(g, "CairnConfig.builder().databaseUri(\"postgresql://h:0/db\")",
                s -> CairnConfig.builder().databaseUri("postgresql://h:0/db")).kind(CONFIGURATION)
                .says("invalid port '0'", "from 1 to 65535"));
        c.add(api(g, "CairnConfig.load with CAIRN_DATABASE_URI=postgresql://h:-1/db", s -> CairnConfig.load(Map.of(
                "CAIRN_HOME", Backend.scratch("uri").toString(), "CAIRN_DATABASE_URI", "postgresql://h:-1/db")))
                .kind(CONFIGURATION).says("CAIRN_DATABASE_URI", "invalid port"));
        c.add(api(g, "Cairn.open on a port where nothing listens", s -> Cairn.open(CairnConfig.builder()
                .home(Backend.scratch("uri")).databaseUri("postgresql://u:hunter2@127.0.0.1:" + closed + "/cairn")
                .connectTimeoutSeconds(3).build()).close())
                .kind(UNAVAILABLE).says("cannot connect", "127.0.0.1:" + closed).hides("hunter2"));
        return c;
    }

    private static int closedPort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // --- wrong passwords ---------------------------------------------------------------------------

    private static List<BadInput> passwords() {
        String g = "wrong passwords";
        List<BadInput> c = new ArrayList<>();
        c.add(cli(g, "the server's superuser with a wrong password", "datasets", "create", "probe").env(db -> {
            Map<String, String> env = db.sharedEnv(Backend.scratch("pw"));
            Db.Server s = db.server();
            env.put("CAIRN_DATABASE_URI", s.uri(s.user(), "wrong-Pa55word", db.databaseName()));
            env.put("CAIRN_DATABASE_ADMIN", "true");
            return env;
        }).exit(5).says("refused the login", "check CAIRN_DATABASE_URI").hides("wrong-Pa55word"));
        c.add(cli(g, "a user the server does not know", "datasets", "list").env(db -> {
            Map<String, String> env = db.sharedEnv(Backend.scratch("pw"));
            Db.Server s = db.server();
            env.put("CAIRN_DATABASE_URI", s.uri("nobody_here", "wrong-Pa55word", db.databaseName()));
            return env;
        }).exit(5).says("refused the login", "nobody_here").hides("wrong-Pa55word"));
        c.add(cli(g, "the right user with an empty password", "datasets", "list").env(db -> {
            Map<String, String> env = db.sharedEnv(Backend.scratch("pw"));
            Db.Server s = db.server();
            env.put("CAIRN_DATABASE_URI", s.uri(s.user(), "", db.databaseName()));
            return env;
        }).exit(5).saysOneOf("refused the login", "password"));
        c.add(api(g, "Cairn.open with a wrong password", s -> {
            Db.Server srv = s.db().server();
            Cairn.open(CairnConfig.builder().home(Backend.scratch("pw")).admin(true)
                    .databaseUri(srv.uri(srv.user(), "wrong-Pa55word", s.db().databaseName())).build()).close();
        }).kind(UNAVAILABLE).says("refused the login").hides("wrong-Pa55word"));
        return c;
    }

    // --- a garbage config file, and wrong settings ---------------------------------------------

    private static BadInput configFile(String name, byte[] content) {
        return cli("configuration", "config.json " + name + ": cairn datasets create probe", "datasets", "create", "probe")
                .env(db -> {
                    Path home = Backend.scratch("config");
                    Files.write(home.resolve("config.json"), content);
                    Map<String, String> env = db.sharedEnv(home);
                    env.remove("CAIRN_CONNECT_TIMEOUT");
                    return env;
                }).exit(5).says("config.json");
    }

    private static BadInput configFile(String name, String content) {
        return configFile(name, content.getBytes(StandardCharsets.UTF_8));
    }

    private static List<BadInput> configuration() {
        String g = "configuration";
        List<BadInput> c = new ArrayList<>();
        c.add(configFile("not JSON", "{ database_admin: true").says("is not valid JSON at line 1",
                "Fix the file or remove it"));
        c.add(configFile("binary bytes", new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, (byte) 0xff,
                (byte) 0xfe, 0x7f}).saysOneOf("not valid JSON", "not UTF-8", "not text")
                );
        c.add(configFile("an array", "[{\"database_admin\": true}]").says("must hold a JSON object", "not an array"));
        c.add(configFile("null", "null").says("must hold a JSON object"));
        c.add(configFile("a string", "\"database_admin=true\"").says("must hold a JSON object", "not a string"));
        c.add(configFile("an unknown key", "{\"databse_uri\": \"postgresql://h/db\", \"pool_size\": 4}")
                .says("unknown setting 'databse_uri'", "the settings are", "database_uri"));
        c.add(configFile("a value of the wrong type (object)", "{\"pool_size\": {\"max\": 4}}")
                .says("'pool_size' in", "must be a string, number or boolean, not an object"));
        c.add(configFile("a value of the wrong type (array)", "{\"database_admin\": [true]}")
                .says("'database_admin' in", "not an array"));
        c.add(configFile("pool_size \"lots\"", "{\"pool_size\": \"lots\"}")
                .says("'pool_size' in", "whole number from 2 to 200"));
        c.add(configFile("pool_size 0", "{\"pool_size\": 0}").says("'pool_size' in", "whole number from 2 to 200"));
        c.add(configFile("database_admin \"yes\"", "{\"database_admin\": \"yes\"}")
                .says("'database_admin' in", "true or false"));
        c.add(configFile("connect_timeout 1e9", "{\"connect_timeout\": 1e9}").says("'connect_timeout' in", "from 1 to 3600"));
        c.add(configFile("a key given twice", "{\"database_admin\": true, \"database_admin\": false}")
                .says("not valid JSON", "the key 'database_admin' appears twice"));
        c.add(configFile("a trailing comma", "{\"database_admin\": true,}")
                .says("not valid JSON at line 1", "'}' where a key in double quotes should be"));
        c.add(configFile("cut short", "{\"database_admin\": true").says("not valid JSON",
                "the file ends before the JSON value does"));
        c.add(cli(g, "config.json is a folder", "datasets", "create", "probe").env(db -> {
            Path home = Backend.scratch("config");
            Files.createDirectories(home.resolve("config.json"));
            return db.sharedEnv(home);
        }).exit(5).says("config.json").saysOneOf("folder", "directory"));
        c.add(cli(g, "CAIRN_HOME is under a file", "datasets", "create", "probe").env(db -> {
            Path file = Backend.scratch("config").resolve("a-file");
            Files.writeString(file, "x");
            Map<String, String> env = db.sharedEnv(file);
            env.put("CAIRN_HOME", file.resolve("home").toString());
            return env;
        }).exit(5).says("CAIRN_HOME is", "a-file is a file, so no folder can be made there",
                "point CAIRN_HOME at a folder"));
        // tests run as root, for whom every folder is writable: a folder that cannot be made is one in /proc
        c.add(cli(g, "CAIRN_HOME where no folder can be made (/proc), the local database", "datasets", "list").env(db -> {
            Map<String, String> env = db.sharedEnv(Backend.scratch("config"));
            env.remove("CAIRN_DATABASE_URI");
            env.put("CAIRN_HOME", "/proc/cairn-home");
            return env;
        }).exit(5).says("cannot start the local database in /proc/cairn-home/server", "/proc/cairn-home:",
                "point CAIRN_HOME at a folder you can write to"));
        c.add(cli(g, "CAIRN_HOME is a file", "datasets", "create", "probe").env(db -> {
            Path file = Backend.scratch("config").resolve("not-a-folder");
            Files.writeString(file, "x");
            Map<String, String> env = db.sharedEnv(file);
            env.put("CAIRN_HOME", file.toString());
            return env;
        }).exit(5).says("CAIRN_HOME", "not a folder")
                );

        c.add(cli(g, "CAIRN_DATABASE_ADMIN=yes", "datasets", "create", "probe").withEnv("CAIRN_DATABASE_ADMIN", "yes")
                .exit(5).says("CAIRN_DATABASE_ADMIN is 'yes'", "true or false"));
        c.add(cli(g, "CAIRN_POOL_SIZE=0", "datasets", "create", "probe").withEnv("CAIRN_POOL_SIZE", "0")
                .exit(5).says("CAIRN_POOL_SIZE is '0'", "whole number from 2 to 200"));
        c.add(cli(g, "CAIRN_POOL_SIZE=99999999999", "datasets", "create", "probe").withEnv("CAIRN_POOL_SIZE", "99999999999")
                .exit(5).says("CAIRN_POOL_SIZE", "from 2 to 200"));
        c.add(cli(g, "CAIRN_CONNECT_TIMEOUT=ten", "datasets", "create", "probe").withEnv("CAIRN_CONNECT_TIMEOUT", "ten")
                .exit(5).says("CAIRN_CONNECT_TIMEOUT", "from 1 to 3600"));
        c.add(cli(g, "CAIRN_DATABASE_PORT=-1", "datasets", "create", "probe").withEnv("CAIRN_DATABASE_PORT", "-1")
                .exit(5).says("CAIRN_DATABASE_PORT", "from 0 to 65535"));
        c.add(cli(g, "CAIRN_DATABASE_NAME=\"cairn; DROP DATABASE postgres\"", "datasets", "create", "probe")
                .withEnv("CAIRN_DATABASE_NAME", "cairn; DROP DATABASE postgres").exit(5)
                .says("CAIRN_DATABASE_NAME", "1 to 63 letters, digits or underscores"));

        c.add(api(g, "CairnConfig.load with a config.json that is not JSON", s -> {
            Path home = Backend.scratch("config");
            Files.writeString(home.resolve("config.json"), "database_admin = true\n");
            CairnConfig.load(Map.of("CAIRN_HOME", home.toString()));
        }).kind(CONFIGURATION).says("config.json is not valid JSON", "Fix the file or remove it"));
        c.add(api(g, "CairnConfig.load with CAIRN_POOL_SIZE=0", s -> CairnConfig.load(Map.of("CAIRN_HOME",
                Backend.scratch("config").toString(), "CAIRN_POOL_SIZE", "0")))
                .kind(CONFIGURATION).says("CAIRN_POOL_SIZE", "from 2 to 200"));
        c.add(api(g, "CairnConfig.builder().poolSize(1)", s -> CairnConfig.builder().home(Backend.scratch("config"))
                .poolSize(1).build()).kind(CONFIGURATION).says("pool_size", "from 2 to 200"));
        return c;
    }

    // --- garbage import files -----------------------------------------------------------------------

    private static final String HEADER = "{\"cairn\":\"dataset\",\"format\":1,\"name\":\"imported\",\"samples\":%d,"
            + "\"fields\":[{\"name\":\"n\",\"type\":\"int\"},{\"name\":\"label\",\"type\":\"classification\"}]}\n";
    private static final String LINE = "{\"filepath\":\"/imported/%d.jpg\",\"fields\":{\"n\":%d,\"label\":{\"label\":\"cat\"}}}\n";
    private static final String ID = "0190b5a4-5d2e-7c3a-9f10-6a2b3c4d5e6f";

    private static String header(int samples) {
        return String.format(HEADER, samples);
    }

    private static String lines(int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i <= to; i++) {
            s.append(String.format(LINE, i, i));
        }
        return s.toString();
    }

    private static String good() {
        return header(2) + lines(1, 2);
    }

    private static volatile Path files;

    /** The path of one of the import files, written once under target/scratch. */
    private static String file(String name) {
        if (files == null) {
            synchronized (BadInputCorpusTest.class) {
                if (files == null) {
                    files = writeFiles();
                }
            }
        }
        return files.resolve(name).toString();
    }

    private static Path writeFiles() {
        Path dir = Backend.scratch("badinput-files");
        Map<String, byte[]> f = new LinkedHashMap<>();
        f.put("good.jsonl", good().getBytes(StandardCharsets.UTF_8));
        f.put("empty.jsonl", new byte[0]);
        f.put("blank-lines.jsonl", "\n\n  \n".getBytes(StandardCharsets.UTF_8));
        byte[] binary = new byte[512];
        new java.util.Random(42).nextBytes(binary);
        binary[0] = (byte) 0x89;
        f.put("binary.jsonl", binary);
        f.put("not-json.csv", "name,filepath\npets,/a.jpg\n".getBytes(StandardCharsets.UTF_8));
        f.put("wrong-header.jsonl", ("{\"cairn\":\"view\",\"format\":1,\"name\":\"imported\"}\n" + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("sample-first.jsonl", lines(1, 2).getBytes(StandardCharsets.UTF_8));
        f.put("format-99.jsonl", (header(1).replace("\"format\":1", "\"format\":99") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("format-string.jsonl", (header(1).replace("\"format\":1", "\"format\":\"1\"") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("no-name.jsonl", (header(1).replace("\"name\":\"imported\",", "") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("bel-name.jsonl", (header(1).replace("\"imported\"", "\"bell\\u0007name\"") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("wrong-type.jsonl", (header(3) + lines(1, 1) + "{\"filepath\":\"/x.jpg\",\"fields\":{\"n\":\"seven\"}}\n"
                + lines(3, 3)).getBytes(StandardCharsets.UTF_8));
        f.put("wrong-label-type.jsonl", (header(1) + "{\"filepath\":\"/x.jpg\",\"fields\":{\"label\":\"cat\"}}\n")
                .getBytes(StandardCharsets.UTF_8));
        f.put("unknown-field.jsonl", (header(2) + lines(1, 1) + "{\"filepath\":\"/x.jpg\",\"fields\":{\"colour\":\"red\"}}\n")
                .getBytes(StandardCharsets.UTF_8));
        f.put("unknown-key.jsonl", (header(1) + "{\"filepath\":\"/x.jpg\",\"colour\":\"red\"}\n")
                .getBytes(StandardCharsets.UTF_8));
        f.put("unknown-type.jsonl", (header(1).replace("\"int\"", "\"quaternion\"") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        f.put("truncated-count.jsonl", (header(3) + lines(1, 2)).getBytes(StandardCharsets.UTF_8));
        String whole = header(3) + lines(1, 3);
        f.put("truncated-mid-line.jsonl", whole.substring(0, whole.length() - 20).getBytes(StandardCharsets.UTF_8));
        f.put("negative-count.jsonl", (header(1).replace("\"samples\":1", "\"samples\":-1") + lines(1, 1))
                .getBytes(StandardCharsets.UTF_8));
        byte[] head = (header(2) + lines(1, 1)).getBytes(StandardCharsets.UTF_8);
        byte[] bad = "{\"filepath\":\"/caf\u00e9.jpg\"}\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] latin1 = new byte[head.length + bad.length];
        System.arraycopy(head, 0, latin1, 0, head.length);
        System.arraycopy(bad, 0, latin1, head.length, bad.length);
        f.put("latin1.jsonl", latin1);
        String dup = "{\"id\":\"" + ID + "\",\"filepath\":\"/dup.jpg\"}\n";
        f.put("duplicate-ids.jsonl", (header(2) + dup + dup).getBytes(StandardCharsets.UTF_8));
        f.put("bad-id.jsonl", (header(1) + "{\"id\":\"42\",\"filepath\":\"/x.jpg\"}\n").getBytes(StandardCharsets.UTF_8));
        f.put("pets.jsonl", good().replace("\"imported\"", "\"pets\"").getBytes(StandardCharsets.UTF_8));
        try {
            for (Map.Entry<String, byte[]> e : f.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
            Files.createDirectories(dir.resolve("a-folder.jsonl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    private static BadInput importing(String name, String file) {
        return cli("import files", "import " + name, "import", file(file)).exit(4);
    }

    private static List<BadInput> imports() {
        String g = "import files";
        List<BadInput> c = new ArrayList<>();
        c.add(importing("an empty file", "empty.jsonl").says("empty.jsonl is empty", "starts with a header line"));
        c.add(importing("a file of blank lines", "blank-lines.jsonl").says("is empty", "header line"));
        c.add(importing("binary bytes", "binary.jsonl").says("binary.jsonl line 1").saysOneOf("not UTF-8", "not valid JSON"));
        c.add(importing("a CSV file (not JSON lines)", "not-json.csv").says("line 1", "is not valid JSON",
                "Nothing was imported"));
        c.add(importing("a header that is not Cairn's", "wrong-header.jsonl").says("line 1 (the header)",
                "not a Cairn dataset header", "cairn export"));
        c.add(importing("a sample line where the header should be", "sample-first.jsonl")
                .says("not a Cairn dataset header"));
        c.add(importing("an unknown format (99)", "format-99.jsonl").says("has format 99", "this release reads format 1"));
        c.add(importing("a format that is a string", "format-string.jsonl").says("has format \"1\"", "reads format 1"));
        c.add(importing("a header without a name", "no-name.jsonl").says("has no \"name\" string"));
        c.add(importing("a value of the wrong type (\"seven\" for an int)", "wrong-type.jsonl")
                .says("wrong-type.jsonl line 3", "'n'", "int", "Nothing was imported"));
        c.add(importing("a string where a classification belongs", "wrong-label-type.jsonl")
                .says("line 2", "'label'", "classification"));
        c.add(importing("a field the header's schema does not have", "unknown-field.jsonl")
                .says("line 3", "field 'colour' is not in the header's schema"));
        c.add(importing("a key a sample does not have", "unknown-key.jsonl").says("line 2", "unknown key 'colour'"));
        c.add(importing("a field type that does not exist", "unknown-type.jsonl").says("'quaternion' is not a field type"));
        c.add(importing("a truncated file (the header says 3 samples, 2 follow)", "truncated-count.jsonl")
                .says("has 2 samples but its header says 3", "incomplete", "Nothing was imported"));
        c.add(importing("a file cut in the middle of a line", "truncated-mid-line.jsonl").says("line 4",
                "not valid JSON", "Nothing was imported"));
        c.add(importing("a negative sample count", "negative-count.jsonl").says("samples -1 is not a count"));
        c.add(importing("bytes that are not UTF-8 (Latin-1)", "latin1.jsonl").says("latin1.jsonl line 3 is not UTF-8"));
        c.add(importing("duplicate sample ids", "duplicate-ids.jsonl").says("duplicate-ids.jsonl line 3", ID)
                .doesNotSay("COPY"));
        c.add(importing("a sample id that is not a UUID", "bad-id.jsonl").says("line 2", "'42'"));
        c.add(importing("a file that is not there", "no-such-file.jsonl").says("there is no file", "no-such-file.jsonl"));
        c.add(importing("a folder", "a-folder.jsonl").says("a-folder.jsonl is a folder, not a file"));
        c.add(importing("a dataset name that exists (from the header), without --replace", "pets.jsonl")
                .says("a dataset named 'pets' exists already", "replace")
                );
        c.add(cli(g, "import --name empty (exists), without --replace", "import", file("good.jsonl"), "--name", "empty")
                .exit(4).says("a dataset named 'empty' exists already", "choose another name, or replace it"));
        c.add(cli(g, "import - (standard input: a bad third line)", "import", "-")
                .stdin((header(2) + lines(1, 1) + "{oops\n").getBytes(StandardCharsets.UTF_8)).exit(4)
                .says("standard input line 3", "not valid JSON")
                );
        // what is wrong with a line, in plain words: never Jackson's ("enable JsonReadFeature...", "Source: REDACTED")
        String[][] notJson = {
                {"{\"filepath\":\"/c.jpg\",\"metadata\":{\"width\":NaN}}", "NaN is not a JSON number"},
                {"{\"filepath\":\"/c.jpg\",\"metadata\":{\"width\":-Infinity}}", "-Infinity is not a JSON number"},
                {"{\"filepath\":\"/c.jpg\",\"metadata\":{\"width\":+1}}", "a JSON number cannot start with '+'"},
                {"{\"filepath\":\"/c.jpg\"} {\"filepath\":\"/d.jpg\"}", "more follows the JSON value on the same line"},
                {"{\"filepath\":\"/c.jpg\",\"tags\":[\"a\"}}", "'}' where ']' should close the array"},
                {"{\"filepath\":\"/c.jpg\"}}", "'}' closes nothing"},
                {"{\"filepath\":\"/c.jpg", "the line ends inside a string"},
                {"{\"filepath\":'/c.jpg'}", "\"'\" where a value should be"},
                {"{\"filepath\":\"/c.jpg\",}", "'}' where a key in double quotes should be"},
                {"{\"filepath\":\"/c\\q.jpg\"}", "'\\q' is not a JSON escape"},
                {"{\"filepath\":\"/c.jpg\",\"metadata\":{\"width\":True}}", "'True' is not a JSON value"},
        };
        for (String[] bad : notJson) {
            c.add(cli(g, "import - (line 3: " + show(bad[0]) + ")", "import", "-")
                    .stdin((header(2) + lines(1, 1) + bad[0] + "\n").getBytes(StandardCharsets.UTF_8)).exit(4)
                    .says("standard input line 3", "is not valid JSON: " + bad[1], "Nothing was imported")
                    .doesNotSay("enable", "Feature", "REDACTED", "code "));
        }
        c.add(cli(g, "import with no file", "import").exit(2).says("Missing required parameter", "FILE"));
        c.add(cli(g, "export pets into a folder", "export", "pets", file("a-folder.jsonl")).exit(4)
                .says("is a folder; give a file name"));
        c.add(cli(g, "export pets into a folder that does not exist", "export", "pets",
                file("no/such/folder/out.jsonl")).exit(4).says("cannot write", "no such folder").doesNotSay(".partial")
                );

        c.add(api(g, "importLines(an empty stream)", s -> importText(s, "", null)).kind(INVALID_INPUT)
                .says("test.jsonl is empty"));
        c.add(api(g, "importLines(a stream that fails)", s -> {
            InputStream failing = new InputStream() {
                private int n;

                @Override
                public int read() throws IOException {
                    if (n < header(2).length()) {
                        return header(2).charAt(n++);
                    }
                    throw new IOException("the disk went away");
                }
            };
            s.cairn().importLines(failing, "failing.jsonl", null, false, -1);
        }).kind(INVALID_INPUT).says("cannot read", "the disk went away", "Nothing was imported"));
        c.add(api(g, "importLines(a truncated file)", s -> importText(s, header(5) + lines(1, 4), null))
                .kind(INVALID_INPUT).says("has 4 samples but its header says 5"));
        c.add(api(g, "importLines(a file with a NUL byte in a line)", s -> importText(s, header(1)
                + "{\"filepath\":\"/a\u0000b.jpg\"}\n", null)).kind(INVALID_INPUT).says("line 2"));
        c.add(api(g, "importLines(replace pets with a broken file)", s -> s.cairn().importLines(new ByteArrayInputStream(
                (good() + "garbage\n").getBytes(StandardCharsets.UTF_8)), "test.jsonl", "pets", true, -1))
                .kind(INVALID_INPUT).says("line 4", "Nothing was imported"));
        return c;
    }

    private static void importText(dev.cairn.badinput.Session s, String text, String name) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        s.cairn().importLines(new ByteArrayInputStream(bytes), "test.jsonl", name, false, bytes.length);
    }

    // --- bad values written through the Java API ---------------------------------------------------

    private static List<BadInput> values() {
        String g = "values";
        List<BadInput> c = new ArrayList<>();
        c.add(api(g, "add a sample whose int field n holds \"seven\"", s -> s.dataset("pets")
                .add(Sample.of("/x.jpg").with("n", "seven"))).preload("pets")
                .kind(INVALID_INPUT).says("'n'", "int"));
        c.add(api(g, "addAll: two good samples, then one with a wrong label", s -> s.dataset("pets").addAll(List.of(
                Sample.of("/a.jpg").with("n", 7L), Sample.of("/b.jpg").with("n", 8L),
                Sample.of("/c.jpg").with("label", "not a classification")))).preload("pets")
                .kind(INVALID_INPUT).says("'label'", "classification"));
        c.add(api(g, "Sample.of(\"\")", s -> Sample.of("")).kind(INVALID_INPUT).says("filepath cannot be empty"));
        c.add(api(g, "a tag with a newline", s -> Sample.of("/a.jpg").withTags("a\nb")).kind(INVALID_INPUT)
                .says("tag", "control character"));
        c.add(api(g, "addField(n) when n exists", s -> s.dataset("pets").addField("n", FieldType.STRING))
                .preload("pets").kind(ALREADY_EXISTS).says("has a field 'n'"));
        c.add(api(g, "Classification.of(\"cat\", NaN)", s -> Classification.of("cat", Double.NaN)).kind(INVALID_INPUT)
                .says("confidence"));
        c.add(api(g, "get a sample id that is not a UUID", s -> s.dataset("pets").get("'; DROP TABLE x; --"))
                .preload("pets").kind(INVALID_INPUT, NOT_FOUND).says("not a sample id"));
        return c;
    }

    // --- a tampered database -------------------------------------------------------------------------

    /** The commands tried on each tampered database: they must refuse, say why, and change nothing. */
    private static List<BadInput> onTampered(String what, Supplier<Db> db, int exit, String... says) {
        String g = "tampered: " + what;
        List<BadInput> c = new ArrayList<>();
        c.add(cli(g, "datasets list (" + what + ")", "datasets", "list").on(db).exit(exit).says(says));
        c.add(cli(g, "migrate --info (" + what + ")", "migrate", "--info").on(db).exit(exit).says(says));
        c.add(cli(g, "migrate --all (" + what + ")", "migrate", "--all").on(db).exit(exit).says(says));
        c.add(api(g, "Cairn.open, dataset(pets) (" + what + ")", s -> s.dataset("pets").count()).on(db)
                .kind(exit == 6 ? DAMAGED : REFUSED).says(says));
        return c;
    }

    private static List<BadInput> tampered() {
        List<BadInput> c = new ArrayList<>();
        String restore = "backup";

        Supplier<Db> future = Fixtures.tampered("version 9.9.9 in cairn.database",
                db -> db.sql("UPDATE cairn.database SET version = '9.9.9'"));
        for (BadInput b : onTampered("version 9.9.9", future, 6, "9.9.9", "tampered")) {
            c.add(b);
        }
        Supplier<Db> futureOnly = Fixtures.tampered("version 9.9.9 accepting only 9.9.9",
                db -> db.sql("UPDATE cairn.database SET version = '9.9.9', min_client_version = '9.9.9'"));
        c.add(cli("tampered: version 9.9.9, accepting only 9.9.9", "datasets list (9.9.9, accepting only 9.9.9)",
                "datasets", "list").on(futureOnly).exit(3, 6).says("9.9.9").doesNotSay("Install release 0.4.0 or newer")
                );

        Supplier<Db> banana = Fixtures.tampered("version 'banana'",
                db -> db.sql("UPDATE cairn.database SET version = 'banana'"));
        c.addAll(onTampered("version 'banana'", banana, 6, "'banana'", "not a version", "tampered", restore));

        Supplier<Db> between = Fixtures.tampered("version 0.2.5 (no such data model version)",
                db -> db.sql("UPDATE cairn.database SET version = '0.2.5'"));
        for (BadInput b : onTampered("version 0.2.5", between, 6, "0.2.5", "no data model version", "tampered")) {
            c.add(b.displayName().contains("--info") ? b : b);
        }

        Supplier<Db> minClient = Fixtures.tampered("min_client_version '0.4'",
                db -> db.sql("UPDATE cairn.database SET min_client_version = '0.4'"));
        c.add(cli("tampered: min_client_version '0.4'", "datasets list (min_client_version '0.4')", "datasets", "list")
                .on(minClient).exit(6).says("'0.4'", "oldest accepted client version", "tampered"));

        Supplier<Db> policy = Fixtures.tampered("policy 'sometimes'", db -> {
            dropChecks(db, "cairn.database");
            db.sql("UPDATE cairn.database SET policy = 'sometimes'");
        });
        c.addAll(onTampered("policy 'sometimes'", policy, 6, "'sometimes'", "neither auto nor manual", "tampered"));

        Supplier<Db> two = Fixtures.tampered("two version records", db -> {
            dropChecks(db, "cairn.database");
            db.sql("INSERT INTO cairn.database SELECT * FROM cairn.database");
        });
        c.addAll(onTampered("two version records", two, 6, "more than one version record", "tampered", restore));

        Supplier<Db> none = Fixtures.tampered("no version record", db -> db.sql("DELETE FROM cairn.database"));
        c.addAll(onTampered("no version record", none, 6, "version record (cairn.database) is empty", "tampered",
                restore));

        Supplier<Db> half = Fixtures.tampered("schema cairn without cairn.database",
                db -> db.sql("DROP TABLE cairn.database CASCADE"));
        c.addAll(onTampered("half a Cairn database", half, 6, "'cairn' schema but no version record", "Cairn changes"
                + " nothing", restore));

        Supplier<Db> target = Fixtures.tampered("migration target 'banana'",
                db -> db.sql("UPDATE cairn.database SET migration_target = 'banana', migration_by = 'x'"));
        c.add(cli("tampered: migration target 'banana'", "migrate --info (migration target 'banana')", "migrate",
                "--info").on(target).exit(6).says("migration target", "'banana'", "tampered"));
        c.add(cli("tampered: migration target 'banana'", "migrate --all (migration target 'banana')", "migrate",
                "--all").on(target).exit(6).says("migration target", "'banana'"));

        Supplier<Db> noDirectory = Fixtures.tampered("cairn.datasets dropped",
                db -> db.sql("DROP TABLE cairn.datasets CASCADE"));
        String noDirectoryBug = "a database whose directory of datasets (cairn.datasets) is gone is reported as"
                + " 'database error while …: relation \"cairn.datasets\" does not exist' with exit 1, not as damaged"
                + " (exit 6) with what to do";
        c.add(cli("tampered: cairn.datasets dropped", "datasets list (cairn.datasets dropped)", "datasets", "list")
                .on(noDirectory).exit(6).says("cairn.datasets", "damaged"));
        c.add(cli("tampered: cairn.datasets dropped", "datasets create probe (cairn.datasets dropped)", "datasets",
                "create", "probe").on(noDirectory).exit(6).says("cairn.datasets", "damaged"));

        // one dataset tampered with
        String ds = "tampered dataset: ";
        Supplier<Db> ahead = Fixtures.tampered("dataset pets at 0.4.0, ahead of its database at 0.3.0", "0.3.0",
                db -> db.sql("UPDATE cairn.datasets SET version = '0.4.0', min_client_version = '0.4.0'"
                        + " WHERE name = 'pets'"));
        String touches = "loading the dataset records its last-loaded time (UPDATE cairn.datasets SET last_loaded_at)"
                + " before it finds the dataset damaged, so the refused load changes the database";
        c.add(api(ds + "ahead of its database", "dataset(pets) by the 0.3.0 client", s -> s.dataset("pets")).on(ahead)
                .kind(DAMAGED).says("'pets' is at data model 0.4.0 but the database is at 0.3.0",
                        "never ahead of its database", "Migrations.migrate(MigrationRequest.named(\"pets\").to(0.3.0))")
                );
        c.add(cli(ds + "ahead of its database", "datasets info pets (0.3.0 client)", "datasets", "info", "pets")
                .on(ahead).exit(6).says("never ahead of its database", "cairn migrate -n pets -v 0.3.0")
                );
        c.add(cli(ds + "ahead of its database", "export pets (0.3.0 client)", "export", "pets").on(ahead).exit(6)
                .says("never ahead of its database"));
        c.add(cli(ds + "ahead of its database", "datasets clone pets copy (0.3.0 client)", "datasets", "clone", "pets",
                "copy").on(ahead).exit(3, 6).says("'pets'", "0.4.0"));

        Supplier<Db> dsBanana = Fixtures.tampered("dataset pets at version 'banana'",
                db -> db.sql("UPDATE cairn.datasets SET version = 'banana' WHERE name = 'pets'"));
        String[] bananaSays = {"'pets'", "'banana'", "not a version", "tampered", restore};
        c.add(cli(ds + "version 'banana'", "datasets list (pets at 'banana')", "datasets", "list").on(dsBanana).exit(6)
                .says(bananaSays));
        c.add(cli(ds + "version 'banana'", "migrate --info (pets at 'banana')", "migrate", "--info").on(dsBanana)
                .exit(6).says(bananaSays));
        c.add(cli(ds + "version 'banana'", "migrate --all (pets at 'banana')", "migrate", "--all").on(dsBanana)
                .exit(6).says(bananaSays));
        c.add(cli(ds + "version 'banana'", "export pets (pets at 'banana')", "export", "pets").on(dsBanana)
                .exit(6).says(bananaSays));
        c.add(api(ds + "version 'banana'", "dataset(pets) (pets at 'banana')", s -> s.dataset("pets")).on(dsBanana)
                .kind(DAMAGED).says(bananaSays));

        Supplier<Db> dsBetween = Fixtures.tampered("dataset pets at 0.2.5 (no such version)",
                db -> db.sql("UPDATE cairn.datasets SET version = '0.2.5', min_client_version = '0.1.0'"
                        + " WHERE name = 'pets'"));
        c.add(api(ds + "version 0.2.5", "dataset(pets) (pets at 0.2.5)", s -> s.dataset("pets")).on(dsBetween)
                .kind(DAMAGED).says("'pets'", "0.2.5", "no data model version", "tampered")
                );
        c.add(cli(ds + "version 0.2.5", "migrate --all (pets at 0.2.5)", "migrate", "--all").on(dsBetween).exit(6)
                .says("'pets'", "0.2.5", "tampered"));

        // (a field of a type this release does not know is no damage: a newer release may have added the type)
        Supplier<Db> schema = Fixtures.tampered("dataset pets with a field schema that is an object",
                db -> db.sql("UPDATE cairn.datasets SET fields = '{\"n\": \"int\"}' WHERE name = 'pets'"));
        c.add(cli(ds + "damaged field schema", "datasets list (the field schema of pets is an object)", "datasets",
                "list").on(schema).exit(6).says("'pets'", "damaged field schema", "a field schema is a list"));
        c.add(api(ds + "damaged field schema", "dataset(pets) (its field schema is an object)", s -> s.dataset("pets"))
                .on(schema).kind(DAMAGED).says("'pets'", "damaged field schema"));

        Supplier<Db> noTable = Fixtures.tampered("the sample table of pets dropped",
                db -> db.sql("DROP TABLE cairn_data.samples_" + db.datasetId("pets")));
        String[] noTableSays = {"'pets' has no sample table", "damaged or tampered with", "Restore the table from a backup"};
        c.add(api(ds + "sample table dropped", "dataset(pets).count() (its sample table dropped)",
                s -> s.dataset("pets").count()).on(noTable).kind(DAMAGED).says(noTableSays));
        c.add(cli(ds + "sample table dropped", "datasets info pets (its sample table dropped)", "datasets", "info",
                "pets").on(noTable).exit(6).says(noTableSays));
        c.add(cli(ds + "sample table dropped", "export pets (its sample table dropped)", "export", "pets")
                .on(noTable).exit(6).says(noTableSays));
        c.add(cli(ds + "sample table dropped", "datasets clone pets copy (its sample table dropped)", "datasets",
                "clone", "pets", "copy").on(noTable).exit(6).says("'pets'", "sample table"));
        c.add(api(ds + "sample table dropped", "load pets and add a sample (its sample table dropped): the add is refused",
                s -> s.dataset("pets").add(Sample.of("/new.jpg"))).on(noTable).kind(DAMAGED).says(noTableSays));

        Supplier<Db> oldNoTable = Fixtures.tampered("database at 0.3.0, the sample table of pets dropped", "0.3.0",
                db -> db.sql("DROP TABLE cairn_data.samples_" + db.datasetId("pets")));
        c.add(cli(ds + "sample table dropped", "migrate --all by release 0.4.0 (database at 0.3.0, pets' sample table"
                + " dropped)", "migrate", "--all").on(oldNoTable).withEnv("CAIRN_CLIENT_RELEASE", "0.4.0")
                .exit(6).says("'pets'", "sample table", "damaged")
                );
        return c;
    }

    /** Drops the CHECK and PRIMARY KEY constraints of a table, as someone repairing by hand might. */
    private static void dropChecks(Db db, String table) throws Exception {
        for (String constraint : db.query("SELECT conname FROM pg_constraint WHERE conrelid = '" + table
                + "'::regclass AND contype IN ('c', 'p')")) {
            db.sql("ALTER TABLE " + table + " DROP CONSTRAINT \"" + constraint + "\"");
        }
    }
}
