package dev.cairn.localserver;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.Feedback;
import dev.cairn.api.LocalServerStatus;
import dev.cairn.store.Postgres;
import dev.cairn.testing.Backend;
import dev.cairn.testing.Cli;
import dev.cairn.testing.Processes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** The local server Cairn runs itself: each test has a CAIRN_HOME of its own. */
class EmbeddedServerTest {

    private CairnConfig config;

    @BeforeEach
    void ownHome() {
        assumeFalse(Backend.isServer(), "the embedded server is tested with the embedded backend");
        config = CairnConfig.builder().home(Backend.scratch("home")).postgresBinaries(Backend.binaries()).build();
    }

    private EmbeddedServer server() {
        return Postgres.embeddedServer(config);
    }

    @Test
    void runsWithDurableSettingsOnLoopbackBehindAPassword() throws Exception {
        EmbeddedServer.Endpoint e = server().start(0, Feedback.NONE);
        try {
            Properties p = new Properties();
            p.setProperty("user", e.user());
            p.setProperty("password", e.password());
            try (Connection c = DriverManager.getConnection(e.jdbcUrl("postgres"), p); Statement s = c.createStatement()) {
                for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
                    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
                        rs.next();
                        assertThat(rs.getString(1)).as(setting).isEqualTo("on");
                    }
                }
                try (ResultSet rs = s.executeQuery("SHOW listen_addresses")) {
                    rs.next();
                    assertThat(rs.getString(1)).isEqualTo("127.0.0.1");
                }
                try (ResultSet rs = s.executeQuery("SHOW server_version_num")) {
                    rs.next();
                    assertThat(rs.getInt(1)).isGreaterThanOrEqualTo(170000);
                }
                try (ResultSet rs = s.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = current_user")) {
                    rs.next();
                    assertThat(rs.getString(1)).as("a random password's verifier needs no slow hashing to log in")
                            .startsWith("SCRAM-SHA-256$1:");
                }
            }
            Properties wrong = new Properties();
            wrong.setProperty("user", e.user());
            wrong.setProperty("password", "guess");
            assertThatThrownBy(() -> DriverManager.getConnection(e.jdbcUrl("postgres"), wrong))
                    .isInstanceOf(SQLException.class).hasMessageContaining("password authentication failed");
            assertThat(Files.getPosixFilePermissions(config.home().resolve("server/password")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ,
                            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
        } finally {
            server().stop();
        }
    }

    @Test
    void outlivesTheCommandThatStartedItAndKeepsDataAcrossStops() throws Exception {
        Processes.Finished first = Processes.run(config, Map.of(), "datasets", "create", "kept");
        assertThat(first.exit()).as(first.output()).isZero();
        try {
            LocalServerStatus running = server().status();
            assertThat(running.running()).as("the server outlives the command that started it").isTrue();
            assertThat(ProcessHandle.of(running.pid())).isPresent();
            assertThat(Cli.run(Backend.environment(config), "db", "stop").exit()).isZero();
            assertThat(server().status().running()).isFalse();
            assertThat(Cli.run(Backend.environment(config), "db", "status").out()).contains("stopped");
            assertThat(Cli.run(Backend.environment(config), "db", "stop").out()).contains("was not running");
            try (Cairn cairn = Cairn.open(config)) {
                assertThat(cairn.datasets()).extracting(DatasetInfo::name).containsExactly("kept");
            }
            assertThat(server().status().running()).isTrue();
        } finally {
            server().stop();
        }
    }

    @Test
    void severalProcessesStartingAtOnceShareOneServer() throws Exception {
        config = CairnConfig.builder().home(Backend.scratch("home")).postgresBinaries(Backend.scratch("binaries")).build();
        int n = 4;
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                Path out = Files.createTempFile(config.home(), "start", ".txt");
                outputs.add(out);
                processes.add(Processes.start(config, Map.of(), out, "datasets", "create", "d" + i));
            }
            for (int i = 0; i < n; i++) {
                assertThat(processes.get(i).waitFor(180, TimeUnit.SECONDS)).isTrue();
                assertThat(processes.get(i).exitValue()).as(Files.readString(outputs.get(i))).isZero();
            }
            try (Cairn cairn = Cairn.open(config)) {
                assertThat(cairn.datasets()).extracting(DatasetInfo::name).containsExactly("d0", "d1", "d2", "d3");
            }
            long postmasters = ProcessHandle.allProcesses()
                    .filter(p -> p.info().commandLine().orElse("").contains(config.home().resolve("server/data").toString()))
                    .filter(p -> p.parent().map(pp -> !pp.info().commandLine().orElse("").contains("server/data")).orElse(true))
                    .count();
            assertThat(postmasters).as("one server for all of them").isEqualTo(1);
        } finally {
            processes.forEach(Process::destroyForcibly);
            server().stop();
        }
    }

    @Test
    void aKilledServerIsStartedAgainByTheNextCommandWithCommittedDataIntact() throws Exception {
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("survivor").add(dev.cairn.api.Sample.of("/committed.jpg"));
        }
        long pid = server().status().pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        for (int i = 0; i < 100 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false); i++) {
            Thread.sleep(50);
        }
        assertThat(server().status().running()).isFalse();
        try (Cairn cairn = Cairn.open(config)) {
            assertThat(cairn.dataset("survivor").count()).isEqualTo(1);
        } finally {
            server().stop();
        }
    }

    /**
     * kill -9 of the postmaster, as a user or the OOM killer would: it lingers as a zombie until
     * its new parent reaps it (which PostgreSQL's own check takes for a live server), and a backend
     * busy in a long query stays attached to its shared memory until the query ends. Right after
     * the kill, {@code db status} says so truthfully, and the very next command waits for the
     * leftovers, starts the server again and works on the committed data.
     */
    @Test
    void aKilledPostmasterIsReportedAsSuchAndTheVeryNextCommandStartsItAgain() throws Exception {
        Processes.Finished created = Processes.run(config, Map.of(), "import", Path.of("examples/quickstart.jsonl").toAbsolutePath().toString());
        assertThat(created.exit()).as(created.output()).isZero();
        String before = Cli.run(config, "export", "quickstart").out();
        EmbeddedServer.Endpoint e = server().runningEndpoint().orElseThrow();
        Properties p = new Properties();
        p.setProperty("user", e.user());
        p.setProperty("password", e.password());
        Thread busy;
        try (Connection c = DriverManager.getConnection(e.jdbcUrl("postgres"), p)) {
            // a backend computing, not waiting: it does not notice its postmaster's death until it is done
            busy = new Thread(() -> {
                try (Statement s = c.createStatement()) {
                    s.execute("SELECT count(*) FROM generate_series(1, 40000000)");
                } catch (SQLException expectedOnceThePostmasterIsGone) {
                    // the backend's end
                }
            });
            busy.start();
            Thread.sleep(300);
            long pid = server().status().pid();
            assertThat(ProcessHandle.of(pid).orElseThrow().destroyForcibly()).isTrue();
            for (int i = 0; i < 100 && PidFile.read(config.home().resolve("server/data")).filter(PidFile::alive).isPresent(); i++) {
                Thread.sleep(10);
            }

            Cli.Result status = Cli.run(config, "db", "status");
            assertThat(status.exit()).isZero();
            assertThat(status.out()).as("db status right after the kill")
                    .contains("not running: it stopped abruptly (pid " + pid + " is gone").doesNotContain("runs:");
            assertThat(server().status().state()).isEqualTo(LocalServerStatus.State.STOPPED_ABRUPTLY);

            Cli.Result list = Cli.run(config, "datasets", "list");
            assertThat(list.exit()).as(list.toString()).isZero();
            assertThat(list.out()).contains("quickstart");
            assertThat(list.err()).as("it waited for the busy backend the killed postmaster left")
                    .contains("waiting for the processes of the local database that stopped abruptly (pid " + pid + ")");
            assertThat(Cli.run(config, "export", "quickstart").out()).as("the committed data, intact").isEqualTo(before);
            assertThat(server().status().running()).isTrue();
            assertThat(server().status().pid()).isNotEqualTo(pid);
        } finally {
            server().stop();
        }
        busy.join(60_000);
    }

    /**
     * A postmaster that lives but is not ready yet, its starter gone: a command that started the
     * server is killed while the server recovers (held in archive recovery here by a
     * restore_command that sleeps, as a long crash recovery would hold it). The next command
     * waits for that server rather than fail trying to start a second one on the same data.
     */
    @Test
    void aServerStillStartingWhoseStarterDiedIsAwaitedNotStartedTwice() throws Exception {
        try (Cairn cairn = Cairn.open(config)) {
            cairn.create("waited for").add(dev.cairn.api.Sample.of("/committed.jpg"));
        }
        server().stop();
        Path data = config.home().resolve("server/data");
        Files.createFile(data.resolve("recovery.signal"));
        Files.writeString(data.resolve("postgresql.auto.conf"), "\nrestore_command = 'sleep 2; false'\n",
                java.nio.file.StandardOpenOption.APPEND);
        Process starter = Processes.start(config, Map.of(), Files.createTempFile(Backend.scratch("starter"), "out", ".txt"),
                "datasets", "list");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (PidFile.read(data).filter(p -> p.alive() && !p.ready()).isEmpty()) {
                assertThat(PidFile.read(data).filter(PidFile::ready)).as("the server is held in recovery").isEmpty();
                assertThat(System.nanoTime()).as("the postmaster starts").isLessThan(deadline);
                Thread.sleep(20);
            }
            starter.destroyForcibly().waitFor();
            long pid = PidFile.read(data).orElseThrow().pid();
            assertThat(PidFile.read(data).orElseThrow().ready()).as("still recovering when its starter died").isFalse();
            Cli.Result r = Cli.run(config, "datasets", "list");
            assertThat(r.exit()).as(r.toString()).isZero();
            assertThat(r.out()).contains("waited for");
            assertThat(r.err()).contains("waiting for the local database to finish starting");
            assertThat(server().status().pid()).as("the server that was starting, not a second one").isEqualTo(pid);
        } finally {
            starter.destroyForcibly();
            server().stop();
        }
    }
}
