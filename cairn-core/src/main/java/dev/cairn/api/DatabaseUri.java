package dev.cairn.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address of a shared PostgreSQL database, in either of the forms PostgreSQL users know:
 * {@code postgresql://user:password@host:port/database?options} (also {@code postgres://}) or
 * {@code jdbc:postgresql://host:port/database?user=...&password=...}. It is parsed strictly, so
 * that a mistyped address is reported with what was expected instead of failing later.
 */
public final class DatabaseUri {

    private static final String FORMS = "expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
            + " or jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD";
    private static final Pattern URL = Pattern.compile(
            "(?:(?<user>[^:@/?#]*)(?::(?<password>[^@/?#]*))?@)?"
                    + "(?<host>\\[[0-9A-Fa-f:.]+\\]|[^:/?#@\\[\\]]*)(?::(?<port>[^/?#]*))?"
                    + "(?:/(?<database>[^?#]*))?(?:\\?(?<query>[^#]*))?");

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final String password;
    private final Map<String, String> options;

    private DatabaseUri(String host, int port, String database, String user, String password, Map<String, String> options) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.user = user;
        this.password = password;
        this.options = Collections.unmodifiableMap(options);
    }

    /**
     * Parses a database URI.
     *
     * @param what where the text came from, for the message (for example {@code CAIRN_DATABASE_URI})
     * @throws ConfigurationException if it is not a PostgreSQL URI Cairn can use
     */
    public static DatabaseUri parse(String text, String what) {
        if (text == null || text.isBlank()) {
            throw new ConfigurationException(what + " is empty: " + FORMS);
        }
        String trimmed = text.strip();
        boolean jdbc;
        String rest;
        String lower = trimmed.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:postgresql://")) {
            jdbc = true;
            rest = trimmed.substring("jdbc:postgresql://".length());
        } else if (lower.startsWith("postgresql://")) {
            jdbc = false;
            rest = trimmed.substring("postgresql://".length());
        } else if (lower.startsWith("postgres://")) {
            jdbc = false;
            rest = trimmed.substring("postgres://".length());
        } else {
            throw new ConfigurationException(what + " is not a PostgreSQL URI (" + redact(trimmed) + "): " + FORMS);
        }
        Matcher m = URL.matcher(rest);
        if (!m.matches()) {
            throw new ConfigurationException(what + " is not a valid PostgreSQL URI (" + redact(trimmed) + "): " + FORMS);
        }
        if (jdbc && m.group("user") != null) {
            throw new ConfigurationException(what + ": a jdbc: URI takes the user and password as options"
                    + " (?user=...&password=...), not before the host: " + FORMS);
        }
        String host = m.group("host");
        if (host == null || host.isEmpty()) {
            throw new ConfigurationException(what + " names no host (" + redact(trimmed) + "): " + FORMS);
        }
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = 5432;
        String portText = m.group("port");
        if (portText != null) {
            if (!portText.matches("[0-9]{1,5}") || Integer.parseInt(portText) < 1 || Integer.parseInt(portText) > 65535) {
                throw new ConfigurationException(what + " has an invalid port '" + Texts.printable(portText)
                        + "': a port is a number from 1 to 65535");
            }
            port = Integer.parseInt(portText);
        }
        String database = decode(m.group("database"), what, "database name");
        if (database == null || database.isEmpty()) {
            throw new ConfigurationException(what + " names no database (" + redact(trimmed) + "): " + FORMS);
        }
        if (database.contains("/")) {
            throw new ConfigurationException(what + " has a database name with '/' in it: " + FORMS);
        }
        Map<String, String> options = new LinkedHashMap<>();
        String query = m.group("query");
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq < 0 ? pair : pair.substring(0, eq), what, "options");
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1), what, "options");
                if (key.isEmpty()) {
                    throw new ConfigurationException(what + " has an option without a name: " + FORMS);
                }
                options.put(key, value);
            }
        }
        String user = decode(m.group("user"), what, "user name");
        String password = decode(m.group("password"), what, "password");
        if (options.containsKey("user")) {
            user = options.remove("user");
        }
        if (options.containsKey("password")) {
            password = options.remove("password");
        }
        if (user != null && user.isEmpty()) {
            user = null;
        }
        return new DatabaseUri(host, port, database, user, password, options);
    }

    /** Decodes %-escapes; a malformed one is reported by the part it is in, never by its text (it may be a secret). */
    private static String decode(String part, String what, String partName) {
        if (part == null) {
            return null;
        }
        try {
            return URLDecoder.decode(part.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(what + " has a malformed %-escape in its " + partName + ": a % must be"
                    + " followed by two hexadecimal digits (write a literal % as %25)");
        }
    }

    /** The URI text with any password replaced by {@code ***}, safe to print. */
    static String redact(String uri) {
        return uri.replaceAll("(?<=://[^:@/?#]{0,200}:)[^@/?#]*(?=@)", "***")
                .replaceAll("(?i)(?<=[?&]password=)[^&#]*", "***");
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** The login user, or {@code null} for the driver's default (the operating-system user). */
    public String user() {
        return user;
    }

    /** The password, or {@code null}. Never printed: see {@link #toString()}. */
    public String password() {
        return password;
    }

    /** Further connection options passed to the PostgreSQL driver (for example {@code sslmode}). */
    public Map<String, String> options() {
        return options;
    }

    /** The JDBC URL for the driver, without user and password. */
    public String jdbcUrl() {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "jdbc:postgresql://" + h + ":" + port + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A form safe to print: the password hidden. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("postgresql://");
        if (user != null) {
            s.append(user);
            if (password != null) {
                s.append(":***");
            }
            s.append('@');
        }
        s.append(host.contains(":") ? "[" + host + "]" : host).append(':').append(port).append('/').append(database);
        if (!options.isEmpty()) {
            StringBuilder q = new StringBuilder();
            options.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                    .append(k.toLowerCase(Locale.ROOT).contains("password") ? "***" : v));
            s.append(q);
        }
        return s.toString();
    }
}
