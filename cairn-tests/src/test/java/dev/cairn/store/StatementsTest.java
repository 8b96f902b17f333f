package dev.cairn.store;

import dev.cairn.testing.Backend;
import dev.cairn.testing.OnAFreshDatabase;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The one way Cairn runs a statement: the types its parameters reach PostgreSQL with, and each shape of result. */
class StatementsTest extends OnAFreshDatabase {

    private static String typeOf(Connection c, Object value) throws SQLException {
        return Statements.value(c, "SELECT pg_typeof(?)::text", rs -> rs.getString(1), value);
    }

    @Test
    void parametersReachTheServerWithTheTypesTheCallSitesBoundByHand() throws SQLException {
        try (Connection c = Backend.raw(config)) {
            assertThat(typeOf(c, "a")).isEqualTo("character varying");
            assertThat(typeOf(c, 1L)).isEqualTo("bigint");
            assertThat(typeOf(c, 1)).isEqualTo("integer");
            assertThat(typeOf(c, true)).isEqualTo("boolean");
            assertThat(typeOf(c, java.util.UUID.randomUUID())).isEqualTo("uuid");
            // as DatasetTable's tags and classes were bound: createArrayOf("text", ...), not the driver's varchar[]
            assertThat(typeOf(c, new String[] {"a", "b"})).isEqualTo("text[]");
            // a null text stays a text, as setString(i, null) sent it
            assertThat(typeOf(c, Statements.text(null))).isEqualTo("character varying");
            assertThat(Statements.<Boolean>value(c, "SELECT ? IS NULL", rs -> rs.getBoolean(1), Statements.text(null))).isTrue();
        }
    }

    @Test
    void aBareNullIsUntypedSoThatTheServerInfersItsType() throws SQLException {
        try (Connection c = Backend.raw(config)) {
            // what DatasetTable.insert needs of a missing creation time; a null text would not match timestamptz
            assertThat(Statements.<Boolean>value(c, "SELECT coalesce(?, now()) IS NOT NULL", rs -> rs.getBoolean(1),
                    (Object) null)).isTrue();
            assertThatThrownBy(() -> Statements.value(c, "SELECT coalesce(?, now())", rs -> rs.getObject(1),
                    Statements.text(null))).isInstanceOf(SQLException.class);
        }
    }

    @Test
    void anInstantIsBoundAsATimestamp() throws SQLException {
        try (Connection c = Backend.raw(config)) {
            Instant at = Instant.parse("2024-01-02T03:04:05.123456Z");
            assertThat(Statements.<Boolean>value(c, "SELECT ?::timestamptz = '2024-01-02T03:04:05.123456Z'::timestamptz",
                    rs -> rs.getBoolean(1), at)).isTrue();
        }
    }

    @Test
    void eachShapeOfResult() throws SQLException {
        try (Connection c = Backend.raw(config)) {
            Statements.execute(c, "CREATE TEMP TABLE t (n bigint, s text)");
            assertThat(Statements.update(c, "INSERT INTO t SELECT g, 'x' || g FROM generate_series(1, ?) g", 3)).isEqualTo(3);
            assertThat(Statements.list(c, "SELECT s FROM t WHERE n >= ? ORDER BY n", rs -> rs.getString(1), 2L))
                    .containsExactly("x2", "x3");
            assertThat(Statements.one(c, "SELECT s FROM t WHERE n = ?", rs -> rs.getString(1), 3L)).contains("x3");
            assertThat(Statements.one(c, "SELECT s FROM t WHERE n = ?", rs -> rs.getString(1), 4L)).isEmpty();
            StringBuilder seen = new StringBuilder();
            Statements.each(c, "SELECT s FROM t ORDER BY n DESC", rs -> seen.append(rs.getString(1)));
            assertThat(seen).hasToString("x3x2x1");
            assertThat(Statements.<String>value(c, "SELECT max(s) FROM t WHERE n > ?", rs -> rs.getString(1), 9L)).isNull();
            assertThatThrownBy(() -> Statements.value(c, "SELECT s FROM t WHERE n > ?", rs -> rs.getString(1), 9L))
                    .isInstanceOf(SQLException.class).hasMessageContaining("returned none");
        }
    }

    @Test
    void theDatabasesErrorsReachTheCallerForSqlTranslate() throws SQLException {
        try (Connection c = Backend.raw(config)) {
            assertThatThrownBy(() -> Statements.update(c, "UPDATE no_such_table SET x = ?", 1))
                    .isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("42P01"));
        }
    }
}
