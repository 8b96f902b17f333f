package dev.cairn.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatabaseUriTest {

    @Test
    void readsThePostgresqlForm() {
        DatabaseUri u = DatabaseUri.parse("postgresql://alice:s%40cret@db.example.com:6543/labels?sslmode=require", "x");
        assertThat(u.user()).isEqualTo("alice");
        assertThat(u.password()).isEqualTo("s@cret");
        assertThat(u.host()).isEqualTo("db.example.com");
        assertThat(u.port()).isEqualTo(6543);
        assertThat(u.database()).isEqualTo("labels");
        assertThat(u.options()).containsEntry("sslmode", "require");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/labels");
    }

    @Test
    void readsTheJdbcForm() {
        DatabaseUri u = DatabaseUri.parse("jdbc:postgresql://10.0.0.5/labels?user=bob&password=p%26w", "x");
        assertThat(u.user()).isEqualTo("bob");
        assertThat(u.password()).isEqualTo("p&w");
        assertThat(u.port()).isEqualTo(5432);
        assertThat(u.options()).isEmpty();
    }

    @Test
    void readsIpv6AndPostgresScheme() {
        DatabaseUri u = DatabaseUri.parse("postgres://[::1]:5433/db", "x");
        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://[::1]:5433/db");
    }

    @Test
    void neverPrintsThePassword() {
        DatabaseUri u = DatabaseUri.parse("postgresql://alice:topsecret@h/db?sslpassword=other", "x");
        assertThat(u.toString()).doesNotContain("topsecret").doesNotContain("other").contains("alice:***@h:5432/db");
        assertThatThrownBy(() -> DatabaseUri.parse("mysql://alice:topsecret@h/db", "CAIRN_DATABASE_URI"))
                .hasMessageNotContaining("topsecret").hasMessageContaining("CAIRN_DATABASE_URI");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost", "mysql://h/db", "postgresql://", "postgresql://h", "postgresql://h/",
            "postgresql://h:99999/db", "postgresql://h:abc/db", "postgresql://h:0/db", "jdbc:postgresql://u:p@h/db",
            "postgresql://h/a/b", "http://h/db", "postgresql://h/%zz"})
    void refusesWhatIsNotAPostgresqlUri(String text) {
        assertThatThrownBy(() -> DatabaseUri.parse(text, "CAIRN_DATABASE_URI"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("CAIRN_DATABASE_URI");
    }
}
