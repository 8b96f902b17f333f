package dev.cairn.store;

import dev.cairn.api.DamagedDatabaseException;
import dev.cairn.api.Texts;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The SQL of the sample tables: one table a dataset, {@code cairn_data.samples_<id>}, named
 * after the dataset's number so that no dataset name ever becomes an identifier.
 */
public final class SampleTable {

    /** Set for the length of a migrating transaction: rows it rewrites keep their modification time. */
    public static final String MIGRATING = "cairn.migrating";

    private static final String COLUMNS = "s.id, s.filepath, s.tags, s.metadata, s.fields";
    private static final String COLUMNS_WITH_TIMES = COLUMNS + ", s.created_at, s.last_modified_at";
    private static final String INSERT_COLUMNS = "id, filepath, tags, metadata, fields";

    private SampleTable() {
    }

    /** The quoted, schema-qualified name of a dataset's sample table. */
    public static String name(long datasetId) {
        return "cairn_data.\"samples_" + datasetId + "\"";
    }

    /** A name beside a dataset's sample table, for a table being rebuilt. */
    public static String scratchName(long datasetId, String suffix) {
        if (!suffix.matches("[a-z0-9_]{1,20}")) {
            throw new IllegalArgumentException("a scratch table suffix is 1 to 20 of [a-z0-9_]: " + suffix);
        }
        return "cairn_data.\"samples_" + datasetId + "_" + suffix + "\"";
    }

    public static void drop(Connection c, long datasetId) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + name(datasetId));
            s.execute("DROP FUNCTION IF EXISTS cairn_data.\"samples_" + datasetId + "_touch\"()");
        }
    }

    /** The database setting that names the role owning sample tables, on a server set up with privileges. */
    public static final String OWNER_SETTING = "cairn.sample_owner";

    /**
     * Gives a dataset's sample table and its functions to the role that owns sample tables, where
     * an admin set one up ({@code cairn admin init}), and gives each user the rights on it that the
     * dataset's access list grants: run after every step that makes or migrates a dataset, so that
     * a revision that rebuilds the table leaves it as it was to everyone. Elsewhere it does nothing.
     */
    public static void giveToOwner(Connection c, long datasetId) throws SQLException {
        String owner;
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT quote_ident(current_setting('" + OWNER_SETTING + "', true))")) {
            rs.next();
            owner = rs.getString(1);
        }
        if (owner == null || owner.isEmpty()) {
            return;
        }
        List<String> statements = new ArrayList<>();
        statements.add("ALTER TABLE " + name(datasetId) + " OWNER TO " + owner);
        Statements.each(c, "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = 'cairn_data' AND p.proname LIKE ?",
                rs -> statements.add("ALTER FUNCTION " + rs.getString(1) + " OWNER TO " + owner),
                "samples\\_" + datasetId + "\\_%");
        Sql.execute(c, statements);
        if (Access.installed(c)) {
            Access.regrant(c, datasetId);
        }
    }

    /**
     * Takes the sample table's shared lock for reading: it waits while the dataset migrates, and
     * keeps it from migrating until the transaction ends. Reading the dataset's version after
     * this lock therefore reads the version of what will be read.
     */
    public static void lockForRead(Connection c, long datasetId, String datasetName) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + name(datasetId) + " IN ACCESS SHARE MODE");
        } catch (SQLException e) {
            throw missingTable(e, datasetId, datasetName);
        }
    }

    /** Takes the sample table's exclusive lock, as a migration does before changing it. */
    public static void lockForMigration(Connection c, long datasetId, String datasetName) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("LOCK TABLE " + name(datasetId) + " IN ACCESS EXCLUSIVE MODE");
        } catch (SQLException e) {
            throw missingTable(e, datasetId, datasetName);
        }
    }

    private static SQLException missingTable(SQLException e, long datasetId, String datasetName) {
        if ("42P01".equals(e.getSQLState())) {
            throw new MissingTable(datasetId, datasetName);
        }
        return e;
    }

    /**
     * A dataset's sample table is not there: either the dataset was deleted meanwhile (its row is
     * gone too) or the database was damaged. The caller tells which, outside the failed transaction.
     */
    /**
     * A sample id that a COPY found in the table already: which id, and at which row of the COPY
     * (counted from 1), so that the caller can say where its input holds it.
     */
    public static final class DuplicateId extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String id;
        private final long row;

        private DuplicateId(String id, long row) {
            super("duplicate sample id " + id, null, false, false);
            this.id = id;
            this.row = row;
        }

        static java.util.Optional<DuplicateId> of(SQLException e) {
            if (!"23505".equals(e.getSQLState())) {
                return java.util.Optional.empty();
            }
            String detail = e instanceof org.postgresql.util.PSQLException p && p.getServerErrorMessage() != null
                    ? p.getServerErrorMessage().getDetail() + " " + p.getServerErrorMessage().getWhere() : e.getMessage();
            java.util.regex.Matcher id = java.util.regex.Pattern.compile("\\(id\\)=\\(([0-9a-fA-F-]+)\\)").matcher(detail);
            java.util.regex.Matcher line = java.util.regex.Pattern.compile("line (\\d+)").matcher(detail);
            return java.util.Optional.of(new DuplicateId(id.find() ? id.group(1) : "(unknown)",
                    line.find() ? Long.parseLong(line.group(1)) : -1));
        }

        public String id() {
            return id;
        }

        /** The row of the COPY that repeated it, from 1; -1 if PostgreSQL did not say. */
        public long row() {
            return row;
        }
    }

    /** The error for a dataset whose sample table is gone while its row stands. */
    public static DamagedDatabaseException missing(long datasetId, String datasetName) {
        return new MissingTable(datasetId, datasetName);
    }

    public static final class MissingTable extends DamagedDatabaseException {
        private static final long serialVersionUID = 1L;
        final String datasetName;

        MissingTable(long datasetId, String datasetName) {
            super("the dataset " + Texts.quoted(datasetName) + " has no sample table (" + name(datasetId) + " is"
                    + " missing): the database was damaged or tampered with. Restore the table from a backup, or delete"
                    + " the dataset");
            this.datasetName = datasetName;
        }

        /** This, or that the dataset was deleted, if its row is gone too. */
        public RuntimeException explain(boolean rowExists) {
            return rowExists ? this : DatasetTable.gone(datasetName);
        }
    }

    public static long count(Connection c, long datasetId, SampleQuerySql.Fragment where) throws SQLException {
        return Statements.value(c, "SELECT count(*) FROM " + name(datasetId) + " s WHERE " + where.sql(),
                rs -> rs.getLong(1), where.params().toArray());
    }

    /** The columns a client working at {@code layout} reads, aliased {@code s}. */
    public static String columns(Layout layout) {
        return layout.sampleTimestamps() ? COLUMNS_WITH_TIMES : COLUMNS;
    }

    public static Optional<SampleRow> get(Connection c, long datasetId, String id, Layout layout) throws SQLException {
        return Statements.one(c, "SELECT " + columns(layout) + " FROM " + name(datasetId) + " s WHERE s.id = ?",
                rs -> read(rs, layout), UUID.fromString(id));
    }

    /**
     * Replaces a sample's content. Keys of {@code fields} that this client does not know (a newer
     * client wrote them) are kept: only the fields in {@code knownFields} are replaced.
     */
    public static boolean update(Connection c, long datasetId, SampleRow row, List<String> knownFields) throws SQLException {
        return Statements.update(c, "UPDATE " + name(datasetId) + " SET filepath = ?, tags = ?,"
                + " metadata = ?::jsonb, fields = (fields - ?::text[]) || ?::jsonb WHERE id = ?",
                Statements.text(row.filepath()), DatasetTable.texts(row.tags()), Statements.text(row.metadata()),
                DatasetTable.texts(knownFields), Statements.text(row.fields()), UUID.fromString(row.id())) == 1;
    }

    public static boolean delete(Connection c, long datasetId, String id) throws SQLException {
        return Statements.update(c, "DELETE FROM " + name(datasetId) + " WHERE id = ?", UUID.fromString(id)) == 1;
    }

    /** Renames a key of every sample's fields, in one statement. */
    public static void renameField(Connection c, long datasetId, String from, String to) throws SQLException {
        Statements.update(c, "UPDATE " + name(datasetId) + " SET fields = (fields - ?) || jsonb_build_object(?::text,"
                + " fields -> ?) WHERE fields -> ? IS NOT NULL", Statements.text(from), Statements.text(to),
                Statements.text(from), Statements.text(from));
    }

    /** Removes a key from every sample's fields, in one statement. */
    public static void deleteField(Connection c, long datasetId, String field) throws SQLException {
        Statements.update(c, "UPDATE " + name(datasetId) + " SET fields = fields - ? WHERE fields -> ? IS NOT NULL",
                Statements.text(field), Statements.text(field));
    }

    /** Copies every row of one sample table into another of the same version, in one statement. */
    static long copyAll(Connection c, long fromId, long toId) throws SQLException {
        List<String> columns = columns(c, fromId);
        String list = String.join(", ", columns.stream().map(x -> "\"" + x.replace("\"", "\"\"") + "\"").toList());
        try (Statement s = c.createStatement()) {
            return s.executeUpdate("INSERT INTO " + name(toId) + " (" + list + ") SELECT " + list + " FROM " + name(fromId));
        }
    }

    /** The columns of a sample table, in order. */
    static List<String> columns(Connection c, long datasetId) throws SQLException {
        return Statements.list(c, "SELECT attname FROM pg_attribute WHERE attrelid = ?::regclass"
                + " AND attnum > 0 AND NOT attisdropped ORDER BY attnum", rs -> rs.getString(1), name(datasetId));
    }

    public static SampleRow read(ResultSet rs, Layout layout) throws SQLException {
        java.sql.Timestamp created = layout.sampleTimestamps() ? rs.getTimestamp(6) : null;
        java.sql.Timestamp modified = layout.sampleTimestamps() ? rs.getTimestamp(7) : null;
        return new SampleRow(rs.getString(1), rs.getString(2), DatasetTable.strings(rs.getArray(3)), rs.getString(4),
                rs.getString(5), created == null ? null : created.toInstant(), modified == null ? null : modified.toInstant());
    }

    /**
     * Streams rows into a sample table with COPY, in one transaction with the caller's other
     * work: nothing is held in memory beyond one buffer.
     */
    public static final class Copy implements AutoCloseable {
        private static final int FLUSH_AT = 1 << 18;
        private static final byte[] END = new byte[0];

        private final CopyIn copy;
        private final String datasetName;
        private final StringBuilder buffer = new StringBuilder(FLUSH_AT + 4096);
        /** Chunks on their way to the database: a writer thread sends them while rows are being made. */
        private final java.util.concurrent.BlockingQueue<byte[]> chunks = new java.util.concurrent.ArrayBlockingQueue<>(4);
        private final Thread writer;
        private volatile SQLException failure;
        private long rows;
        private boolean finished;

        public Copy(Connection c, long datasetId, String datasetName) throws SQLException {
            this.datasetName = datasetName;
            this.copy = c.unwrap(PGConnection.class).getCopyAPI()
                    .copyIn("COPY " + name(datasetId) + " (" + INSERT_COLUMNS + ") FROM STDIN");
            this.writer = new Thread(this::send, "cairn-copy");
            writer.setDaemon(true);
            writer.start();
        }

        private void send() {
            try {
                while (true) {
                    byte[] chunk = chunks.take();
                    if (chunk == END) {
                        return;
                    }
                    if (failure == null) {
                        copy.writeToCopy(chunk, 0, chunk.length);
                    }
                }
            } catch (SQLException e) {
                failure = e;
                chunks.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        public void add(SampleRow row) throws SQLException {
            CopyText.row(buffer, row.id(), row.filepath(), row.tags(), row.metadata(), row.fields());
            rows++;
            if (buffer.length() >= FLUSH_AT) {
                flush();
            }
        }

        private void flush() throws SQLException {
            if (failure != null) {
                throw DuplicateId.of(failure).map(d -> (RuntimeException) d).orElseThrow(() -> failure);
            }
            put(buffer.toString().getBytes(StandardCharsets.UTF_8));
            buffer.setLength(0);
        }

        private void put(byte[] chunk) throws SQLException {
            try {
                while (!chunks.offer(chunk, 100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    if (failure != null) {
                        throw failure;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while copying samples", "57014");
            }
        }

        private void drain() throws SQLException {
            if (writer.isAlive()) {
                put(END);
                try {
                    writer.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while copying samples", "57014");
                }
            }
            if (failure != null) {
                throw failure;
            }
        }

        /**
         * Ends the COPY; returns the rows written.
         *
         * @throws DuplicateId if a sample's id was there already, or came twice
         */
        public long finish() throws SQLException {
            try {
                flush();
                drain();
                finished = true;
                copy.endCopy();
            } catch (SQLException e) {
                throw DuplicateId.of(e).map(d -> (RuntimeException) d).orElseThrow(() -> e);
            }
            return rows;
        }

        @Override
        public void close() throws SQLException {
            if (!finished) {
                try {
                    chunks.clear();
                    chunks.offer(END);
                    writer.join(10_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
            }
        }
    }
}
