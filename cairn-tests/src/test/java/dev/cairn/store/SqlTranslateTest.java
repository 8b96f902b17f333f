package dev.cairn.store;

import dev.cairn.api.CairnException;
import dev.cairn.api.DatabaseUnavailableException;
import dev.cairn.api.RefusedException;
import dev.cairn.api.Remedy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.postgresql.util.PSQLException;
import org.postgresql.util.ServerErrorMessage;

import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** How database errors become Cairn's: what counts as a lost connection, and what the message says. */
class SqlTranslateTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "08006 | An I/O error occurred while sending to the backend.",
            "08003 | This connection has been closed.",
            "57P01 | FATAL: terminating connection due to administrator command",
            "57P05 | FATAL: terminating connection due to idle-session timeout",
            "25P03 | FATAL: terminating connection due to idle-in-transaction timeout",
    })
    void aConnectionTheServerEndedIsALostConnection(String state, String message) {
        CairnException e = Sql.translate(new SQLException(message, state), "migrating the dataset 'a'");
        assertThat(e).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(e.getMessage())
                .startsWith("lost the connection to the database while migrating the dataset 'a' (")
                .contains(message.substring(0, message.length() - (message.endsWith(".") ? 1 : 0)) + ").")
                .doesNotContain("..")
                .contains("What was not committed was rolled back")
                .doesNotContain("Nothing of that step was kept");
    }

    @Test
    void theConnectionPoolsOwnClosedErrorIsALostConnection() {
        // HikariCP answers every call on a connection it closed after it broke with this, without a state
        CairnException e = Sql.translate(new SQLException("Connection is closed"), "migrating");
        assertThat(e).isInstanceOf(DatabaseUnavailableException.class);
        assertThat(e.getMessage()).startsWith("lost the connection to the database while migrating");
    }

    @Test
    void aRefusalOfCairnsOwnChecksKeepsItsWords() {
        CairnException e = Sql.translate(new PSQLException(new ServerErrorMessage("SERROR\0VERROR\0C42501\0Mcairn: a"
                + " dataset cannot be ahead of its database (0.4.0 above 0.3.0)\0")), "loading the dataset 'a'");
        assertThat(e).isInstanceOf(RefusedException.class);
        assertThat(e.getMessage()).isEqualTo("the database refused loading the dataset 'a': a dataset cannot be ahead of"
                + " its database (0.4.0 above 0.3.0). Nothing of it was changed.");
    }

    @Test
    void aRefusedPrivilegeIsARefusalAndOtherErrorsSayWhatWasBeingDone() {
        CairnException denied = Sql.translate(new PSQLException(new ServerErrorMessage(
                "SERROR\0VERROR\0C42501\0Mpermission denied for table database\0")), "setting the database's policy");
        assertThat(denied).isInstanceOf(RefusedException.class);
        assertThat(denied.getMessage())
                .startsWith("the database refused setting the database's policy: only an admin of the database may do that")
                .contains("the role owning Cairn's records", "'Migrations.users()' lists them")
                .doesNotContain("ERROR", "permission denied", "table database", "42501");
        assertThat(denied.remedies()).containsExactly(new Remedy.ListUsers());
        CairnException other = Sql.translate(new SQLException("Connection is closed but not by the pool", "XX000"),
                "loading a dataset");
        assertThat(other).isNotInstanceOf(DatabaseUnavailableException.class).isNotInstanceOf(RefusedException.class);
        assertThat(other.getMessage()).isEqualTo("database error while loading a dataset: Connection is closed but not by"
                + " the pool");
    }
}
