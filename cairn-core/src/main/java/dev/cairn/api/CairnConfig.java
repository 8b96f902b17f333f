package dev.cairn.api;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.cairn.text.JsonErrors;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where Cairn keeps its data and how it reaches its database. Each setting comes from, in
 * order: the environment ({@code CAIRN_...}), the file {@code CAIRN_HOME/config.json}, then the
 * default. A configuration is immutable once built; every value is checked when it is set, so
 * a wrong setting is reported before anything connects.
 */
public final class CairnConfig {

    /** Where a setting's value came from. */
    public enum Source {
        ENVIRONMENT, FILE, API, DEFAULT;

        public String label() {
            return switch (this) {
                case ENVIRONMENT -> "environment";
                case FILE -> "config file";
                case API -> "set in code";
                case DEFAULT -> "default";
            };
        }
    }

    /** The settings, with their name in the config file and in the environment. */
    public enum Setting {
        DATABASE_URI("database_uri", "a shared PostgreSQL database; unset means the local embedded one"),
        DATABASE_NAME("database_name", "the database's name on the local embedded server"),
        DATABASE_ADMIN("database_admin", "act as the database's admin: true or false"),
        DATABASE_PORT("database_port", "the local server's TCP port when Cairn starts it; 0 picks a free one"),
        POSTGRES_BINARIES("postgres_binaries", "where the local server's PostgreSQL programs are unpacked; several homes may share them"),
        CONNECT_TIMEOUT("connect_timeout", "seconds to wait for the database before giving up"),
        POOL_SIZE("pool_size", "the most connections one client opens at once"),
        CLIENT_RELEASE("client_release", "act exactly as the client of this older release, or of a build at this older data model version (for testing upgrades)");

        private final String key;
        private final String description;

        Setting(String key, String description) {
            this.key = key;
            this.description = description;
        }

        /** The name in {@code config.json}. */
        public String key() {
            return key;
        }

        /** The name in the environment. */
        public String environmentVariable() {
            return "CAIRN_" + key.toUpperCase(Locale.ROOT);
        }

        public String description() {
            return description;
        }

        static Optional<Setting> byKey(String key) {
            for (Setting s : values()) {
                if (s.key.equals(key)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }

    /** A setting's effective value, as text, and where it came from. */
    public record Value(String text, Source source) {
    }

    public static final String HOME_VARIABLE = "CAIRN_HOME";
    public static final String CONFIG_FILE_NAME = "config.json";
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");

    private final Path home;
    private final Source homeSource;
    private final Map<Setting, Value> values;
    private final DatabaseUri databaseUri;
    private final String databaseName;
    private final boolean admin;
    private final int databasePort;
    private final Path postgresBinaries;
    private final int connectTimeoutSeconds;
    private final int poolSize;
    private final Version clientRelease;

    private CairnConfig(Path home, Source homeSource, Map<Setting, Value> given) {
        this.home = home;
        this.homeSource = homeSource;
        Map<Setting, Value> all = new EnumMap<>(Setting.class);
        Value uri = given.get(Setting.DATABASE_URI);
        this.databaseUri = uri == null ? null : DatabaseUri.parse(uri.text(), where(Setting.DATABASE_URI, uri.source()));
        this.databaseName = parseDatabaseName(valueOr(given, all, Setting.DATABASE_NAME, "cairn"));
        this.admin = parseBoolean(valueOr(given, all, Setting.DATABASE_ADMIN, databaseUri == null ? "true" : "false"));
        this.databasePort = parseInt(Setting.DATABASE_PORT, valueOr(given, all, Setting.DATABASE_PORT, "0"), 0, 65535);
        Value binaries = valueOr(given, all, Setting.POSTGRES_BINARIES, home.resolve("postgres").toString());
        this.postgresBinaries = toPath(binaries.text(), where(Setting.POSTGRES_BINARIES, binaries.source()));
        this.connectTimeoutSeconds = parseInt(Setting.CONNECT_TIMEOUT, valueOr(given, all, Setting.CONNECT_TIMEOUT, "10"), 1, 3600);
        this.poolSize = parseInt(Setting.POOL_SIZE, valueOr(given, all, Setting.POOL_SIZE, "8"), 2, 200);
        Value release = given.get(Setting.CLIENT_RELEASE);
        this.clientRelease = release == null ? null : releaseSetting(release);
        if (uri != null) {
            all.put(Setting.DATABASE_URI, new Value(databaseUri.toString(), uri.source()));
        }
        if (release != null) {
            all.put(Setting.CLIENT_RELEASE, release);
        }
        this.values = Collections.unmodifiableMap(all);
    }

    private static Value valueOr(Map<Setting, Value> given, Map<Setting, Value> all, Setting setting, String fallback) {
        Value v = given.getOrDefault(setting, new Value(fallback, Source.DEFAULT));
        all.put(setting, v);
        return v;
    }

    private String where(Setting setting, Source source) {
        return switch (source) {
            case ENVIRONMENT -> setting.environmentVariable();
            case FILE -> "'" + setting.key() + "' in " + configFile();
            default -> setting.key();
        };
    }

    private Version releaseSetting(Value v) {
        try {
            return Version.parse(v.text(), "release");
        } catch (InvalidInputException e) {
            throw new ConfigurationException(where(Setting.CLIENT_RELEASE, v.source()) + " is " + Texts.quoted(v.text())
                    + ": it must be a Cairn release, MAJOR.MINOR.PATCH such as 0.3.0 ('{0}' lists them)",
                    List.of(new Remedy.ListReleases()));
        }
    }

    private String parseDatabaseName(Value v) {
        if (!DATABASE_NAME.matcher(v.text()).matches()) {
            throw new ConfigurationException(where(Setting.DATABASE_NAME, v.source()) + " is "
                    + Texts.quoted(v.text()) + ": a local database name is 1 to 63 letters, digits"
                    + " or underscores, not starting with a digit");
        }
        return v.text();
    }

    private boolean parseBoolean(Value v) {
        String t = v.text().strip().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return true;
        }
        if (t.equals("false")) {
            return false;
        }
        throw new ConfigurationException(where(Setting.DATABASE_ADMIN, v.source()) + " is "
                + Texts.quoted(v.text()) + ": it must be true or false");
    }

    private int parseInt(Setting setting, Value v, int min, int max) {
        try {
            int n = Integer.parseInt(v.text().strip());
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigurationException(where(setting, v.source()) + " is " + Texts.quoted(v.text())
                + ": it must be a whole number from " + min + " to " + max);
    }

    /** A configuration from this process's environment and the config file it points at. */
    public static CairnConfig load() {
        return load(System.getenv());
    }

    /** A configuration from the given environment and the config file it points at. */
    public static CairnConfig load(Map<String, String> environment) {
        Path home;
        Source homeSource;
        String homeText = environment.get(HOME_VARIABLE);
        if (homeText != null && !homeText.isBlank()) {
            home = toPath(homeText, HOME_VARIABLE);
            homeSource = Source.ENVIRONMENT;
        } else {
            home = Path.of(System.getProperty("user.home"), ".cairn");
            homeSource = Source.DEFAULT;
        }
        String homeName = homeSource == Source.ENVIRONMENT ? HOME_VARIABLE : "Cairn's home";
        if (java.nio.file.Files.exists(home) && !java.nio.file.Files.isDirectory(home)) {
            throw new ConfigurationException(homeName + " is " + home + ", which is a file, not a folder; point "
                    + HOME_VARIABLE + " at a folder");
        }
        for (Path above = home.toAbsolutePath().getParent(); above != null; above = above.getParent()) {
            if (java.nio.file.Files.exists(above)) {
                if (!java.nio.file.Files.isDirectory(above)) {
                    throw new ConfigurationException(homeName + " is " + home + ", but " + above + " is a file, so no"
                            + " folder can be made there; point " + HOME_VARIABLE + " at a folder (Cairn creates it if"
                            + " it is missing)");
                }
                break;
            }
        }
        Map<Setting, Value> values = new EnumMap<>(Setting.class);
        readFile(home.resolve(CONFIG_FILE_NAME), values);
        for (Setting s : Setting.values()) {
            String env = environment.get(s.environmentVariable());
            if (env != null && !(env.isEmpty() && s == Setting.DATABASE_URI)) {
                values.put(s, new Value(env, Source.ENVIRONMENT));
            } else if (env != null) {
                values.remove(s);
            }
        }
        return new CairnConfig(home, homeSource, values);
    }

    private static Path toPath(String text, String what) {
        try {
            return Path.of(text).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new ConfigurationException(what + " is not a usable path: " + Texts.quoted(text));
        }
    }

    private static void readFile(Path file, Map<Setting, Value> into) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return;
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new ConfigurationException(file + " is not text (UTF-8): it must hold a JSON object such as"
                    + " {\"database_admin\": true}. Fix the file or remove it to use the defaults.");
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + file + ": " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            ObjectMapper mapper = new ObjectMapper();
            mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String position = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new ConfigurationException(file + " is not valid JSON" + position + ": "
                    + JsonErrors.reason(e, "the file") + ". Fix the file or remove it to use the defaults.");
        }
        if (root == null || root.isMissingNode()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigurationException(file + " must hold a JSON object such as {\"database_admin\": true}, not "
                    + article(root.getNodeType()));
        }
        List<String> unknown = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            Optional<Setting> setting = Setting.byKey(e.getKey());
            if (setting.isEmpty()) {
                unknown.add(Texts.quoted(e.getKey()));
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            if (!(v.isTextual() || v.isNumber() || v.isBoolean())) {
                throw new ConfigurationException("'" + e.getKey() + "' in " + file + " must be a string, number or"
                        + " boolean, not " + article(v.getNodeType()));
            }
            into.put(setting.get(), new Value(v.asText(), Source.FILE));
        }
        if (!unknown.isEmpty()) {
            List<String> known = new ArrayList<>();
            for (Setting s : Setting.values()) {
                known.add(s.key());
            }
            throw new ConfigurationException(file + " has unknown setting" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + "; the settings are " + String.join(", ", known));
        }
    }

    private static String article(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            default -> type.name().toLowerCase(Locale.ROOT);
        };
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder seeded with this configuration's explicit settings, to change one or two. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.home = home;
        b.homeSource = homeSource;
        values.forEach((k, v) -> {
            if (v.source() != Source.DEFAULT && k != Setting.DATABASE_URI) {
                b.values.put(k, v);
            }
        });
        if (databaseUri != null) {
            b.values.put(Setting.DATABASE_URI, new Value(rawUri(), values.get(Setting.DATABASE_URI).source()));
        }
        return b;
    }

    private String rawUri() {
        StringBuilder s = new StringBuilder("postgresql://");
        java.util.function.Function<String, String> enc = x -> java.net.URLEncoder.encode(x, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
        if (databaseUri.user() != null) {
            s.append(enc.apply(databaseUri.user()));
            if (databaseUri.password() != null) {
                s.append(':').append(enc.apply(databaseUri.password()));
            }
            s.append('@');
        }
        s.append(databaseUri.host().contains(":") ? "[" + databaseUri.host() + "]" : databaseUri.host())
                .append(':').append(databaseUri.port()).append('/').append(enc.apply(databaseUri.database()));
        StringBuilder q = new StringBuilder();
        databaseUri.options().forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(enc.apply(k)).append('=').append(enc.apply(v)));
        return s.append(q).toString();
    }

    /** Builds a configuration in code; each setting may be given once, and is checked at once. */
    public static final class Builder {
        private Path home;
        private Source homeSource = Source.DEFAULT;
        private final Map<Setting, Value> values = new EnumMap<>(Setting.class);
        private boolean built;

        private Builder() {
        }

        public Builder home(Path home) {
            checkOpen();
            this.home = home.toAbsolutePath().normalize();
            this.homeSource = Source.API;
            return this;
        }

        /** A shared database; {@code null} means the local embedded one. */
        public Builder databaseUri(String uri) {
            if (uri == null) {
                checkOpen();
                values.remove(Setting.DATABASE_URI);
                return this;
            }
            DatabaseUri.parse(uri, "database URI");
            return set(Setting.DATABASE_URI, uri);
        }

        public Builder databaseName(String name) {
            return set(Setting.DATABASE_NAME, name);
        }

        public Builder admin(boolean admin) {
            return set(Setting.DATABASE_ADMIN, Boolean.toString(admin));
        }

        public Builder databasePort(int port) {
            return set(Setting.DATABASE_PORT, Integer.toString(port));
        }

        public Builder postgresBinaries(Path folder) {
            return set(Setting.POSTGRES_BINARIES, folder.toAbsolutePath().normalize().toString());
        }

        public Builder connectTimeoutSeconds(int seconds) {
            return set(Setting.CONNECT_TIMEOUT, Integer.toString(seconds));
        }

        public Builder poolSize(int size) {
            return set(Setting.POOL_SIZE, Integer.toString(size));
        }

        /**
         * Act as the client of an older release, exactly as it would behave; or, given a data model
         * version at which no release was cut, as a build at that version would.
         */
        public Builder clientRelease(String release) {
            Version.parse(release, "release");
            return set(Setting.CLIENT_RELEASE, release);
        }

        private Builder set(Setting setting, String text) {
            checkOpen();
            values.put(setting, new Value(text, Source.API));
            return this;
        }

        private void checkOpen() {
            if (built) {
                throw new IllegalStateException("this builder has built its configuration already");
            }
        }

        public CairnConfig build() {
            checkOpen();
            built = true;
            Path h = home != null ? home : Path.of(System.getProperty("user.home"), ".cairn");
            return new CairnConfig(h, homeSource, values);
        }
    }

    /** The folder that holds the local database, its binaries and the config file. */
    public Path home() {
        return home;
    }

    public Source homeSource() {
        return homeSource;
    }

    public Path configFile() {
        return home.resolve(CONFIG_FILE_NAME);
    }

    /** Whether Cairn uses its local embedded database (no {@code CAIRN_DATABASE_URI}). */
    public boolean isLocal() {
        return databaseUri == null;
    }

    public Optional<DatabaseUri> databaseUri() {
        return Optional.ofNullable(databaseUri);
    }

    /** The database's name on the local embedded server. */
    public String databaseName() {
        return databaseName;
    }

    /** Whether the user means to act as admin ({@code CAIRN_DATABASE_ADMIN}). */
    public boolean admin() {
        return admin;
    }

    public int databasePort() {
        return databasePort;
    }

    /** Where the local server's PostgreSQL programs are unpacked. */
    public Path postgresBinaries() {
        return postgresBinaries;
    }

    public int connectTimeoutSeconds() {
        return connectTimeoutSeconds;
    }

    public int poolSize() {
        return poolSize;
    }

    /** The older release this client acts as, if one was set. */
    public Optional<Version> clientRelease() {
        return Optional.ofNullable(clientRelease);
    }

    /** Every setting's effective value, secrets hidden, with its source. */
    public Map<Setting, Value> values() {
        return values;
    }
}
