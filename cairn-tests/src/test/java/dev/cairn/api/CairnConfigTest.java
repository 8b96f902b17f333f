package dev.cairn.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CairnConfigTest {

    @TempDir
    Path home;

    private Map<String, String> env(String... pairs) {
        Map<String, String> m = new java.util.HashMap<>();
        m.put("CAIRN_HOME", home.toString());
        for (int i = 0; i < pairs.length; i += 2) {
            m.put(pairs[i], pairs[i + 1]);
        }
        return m;
    }

    private void file(String json) throws IOException {
        Files.writeString(home.resolve("config.json"), json);
    }

    @Test
    void defaultsAreLocalAndAdmin() {
        CairnConfig c = CairnConfig.load(env());
        assertThat(c.isLocal()).isTrue();
        assertThat(c.admin()).isTrue();
        assertThat(c.databaseName()).isEqualTo("cairn");
        assertThat(c.home()).isEqualTo(home);
        assertThat(c.values().get(CairnConfig.Setting.DATABASE_ADMIN).source()).isEqualTo(CairnConfig.Source.DEFAULT);
    }

    @Test
    void aSharedDatabaseIsNotAdminByDefault() {
        CairnConfig c = CairnConfig.load(env("CAIRN_DATABASE_URI", "postgresql://u:p@h/db"));
        assertThat(c.isLocal()).isFalse();
        assertThat(c.admin()).isFalse();
    }

    @Test
    void theEnvironmentBeatsTheFileWhichBeatsTheDefaults() throws IOException {
        file("{\"database_admin\": false, \"database_name\": \"from_file\", \"pool_size\": 4}");
        CairnConfig c = CairnConfig.load(env("CAIRN_DATABASE_NAME", "from_env"));
        assertThat(c.databaseName()).isEqualTo("from_env");
        assertThat(c.admin()).isFalse();
        assertThat(c.poolSize()).isEqualTo(4);
        assertThat(c.values().get(CairnConfig.Setting.DATABASE_NAME).source()).isEqualTo(CairnConfig.Source.ENVIRONMENT);
        assertThat(c.values().get(CairnConfig.Setting.POOL_SIZE).source()).isEqualTo(CairnConfig.Source.FILE);
    }

    @Test
    void malformedFilesAreReportedWithWhereAndWhat() throws IOException {
        file("{\"database_admin\": tru}");
        assertThatThrownBy(() -> CairnConfig.load(env())).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("config.json is not valid JSON at line 1");
        file("[1, 2]");
        assertThatThrownBy(() -> CairnConfig.load(env())).hasMessageContaining("must hold a JSON object");
        file("{\"databse_uri\": \"postgresql://h/db\"}");
        assertThatThrownBy(() -> CairnConfig.load(env())).hasMessageContaining("unknown setting 'databse_uri'")
                .hasMessageContaining("database_uri");
        file("{\"pool_size\": {\"a\": 1}}");
        assertThatThrownBy(() -> CairnConfig.load(env())).hasMessageContaining("'pool_size'");
        file("{\"database_admin\": true, \"database_admin\": false}");
        assertThatThrownBy(() -> CairnConfig.load(env())).hasMessageContaining("not valid JSON");
        file("\u0000\u0001garbage");
        assertThatThrownBy(() -> CairnConfig.load(env())).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void badValuesNameTheirSetting() throws IOException {
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_DATABASE_ADMIN", "yes")))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("CAIRN_DATABASE_ADMIN")
                .hasMessageContaining("true or false");
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_POOL_SIZE", "many"))).hasMessageContaining("CAIRN_POOL_SIZE");
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_DATABASE_PORT", "70000"))).hasMessageContaining("65535");
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_DATABASE_NAME", "a; DROP DATABASE x")))
                .hasMessageContaining("CAIRN_DATABASE_NAME");
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_DATABASE_URI", "mysql://h/db")))
                .hasMessageContaining("CAIRN_DATABASE_URI");
        assertThatThrownBy(() -> CairnConfig.load(env("CAIRN_CLIENT_RELEASE", "v1"))).isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("CAIRN_CLIENT_RELEASE").hasMessageContaining("MAJOR.MINOR.PATCH");
        file("{\"database_port\": \"x\"}");
        assertThatThrownBy(() -> CairnConfig.load(env())).hasMessageContaining("'database_port' in " + home.resolve("config.json"));
    }

    @Test
    void theUriIsShownWithoutItsPassword() {
        CairnConfig c = CairnConfig.load(env("CAIRN_DATABASE_URI", "postgresql://u:hunter2@h/db"));
        assertThat(c.values().get(CairnConfig.Setting.DATABASE_URI).text()).doesNotContain("hunter2").contains("***");
        assertThat(c.databaseUri().orElseThrow().password()).isEqualTo("hunter2");
    }

    @Test
    void aBuilderIsSealedOnceBuilt() {
        CairnConfig.Builder b = CairnConfig.builder().home(home);
        b.build();
        assertThatThrownBy(() -> b.admin(true)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> CairnConfig.builder().databaseUri("nope")).isInstanceOf(ConfigurationException.class);
    }
}
