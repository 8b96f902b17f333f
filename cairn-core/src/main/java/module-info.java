/**
 * Cairn's library: the Java API that the command (and the server to come) are written against.
 * {@code dev.cairn} holds the two doors, {@link dev.cairn.Cairn} (datasets) and
 * {@link dev.cairn.Migrations} (versions); {@code dev.cairn.api} the types they take and give.
 * The migration engine ({@code dev.cairn.migrate}), the store ({@code dev.cairn.store}) and the local
 * server are not exported: nothing outside this module compiles against them.
 */
module dev.cairn.core {
    requires transitive java.sql;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;
    requires com.fasterxml.jackson.databind;
    requires org.apache.commons.compress;
    requires org.tukaani.xz;

    exports dev.cairn;
    exports dev.cairn.api;
    // TEMPORARY, while the command moves onto the API alone
    exports dev.cairn.store to dev.cairn.cli;
    exports dev.cairn.migrate to dev.cairn.cli;
}
