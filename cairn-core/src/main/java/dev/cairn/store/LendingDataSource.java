package dev.cairn.store;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The pool's source of connections: first the one {@link Postgres} opened to check that it can
 * connect, then new ones from the driver with the same settings. Each connection costs an
 * authentication (SCRAM, a few tens of milliseconds): a short command opens one, not three.
 */
final class LendingDataSource implements DataSource, AutoCloseable {

    private final String jdbcUrl;
    private final Properties session;
    private final AtomicReference<Connection> first;

    LendingDataSource(String jdbcUrl, Properties session, Connection first) {
        this.jdbcUrl = jdbcUrl;
        this.session = session;
        this.first = new AtomicReference<>(first);
    }

    @Override
    public Connection getConnection() throws SQLException {
        Connection lent = first.getAndSet(null);
        return lent != null ? lent : DriverManager.getConnection(jdbcUrl, session);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the user and password are part of Cairn's configuration");
    }

    /** Closes the first connection if the pool never took it. */
    @Override
    public void close() {
        Connection unused = first.getAndSet(null);
        if (unused != null) {
            try {
                unused.close();
            } catch (SQLException e) {
                // it was never used; the server drops it with the socket
            }
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no log: the driver's own logging settings apply
    }

    @Override
    public void setLoginTimeout(int seconds) {
        // the session's loginTimeout and connectTimeout, from CAIRN_CONNECT_TIMEOUT, apply
    }

    @Override
    public int getLoginTimeout() {
        return Integer.parseInt(session.getProperty("loginTimeout", "0"));
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("no java.util.logging logger");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
