/**
 * Cairn's library: the Java API that the command (and the server to come) are written against.
 * {@code dev.cairn} holds the doors: {@link dev.cairn.Cairn} (datasets), {@link dev.cairn.Migrations}
 * (versions), {@link dev.cairn.LocalServer} (the embedded server) and {@link dev.cairn.NativeJson}
 * (values as JSON); {@code dev.cairn.api} and {@code dev.cairn.api.migration} the types they take
 * and give. The migration engine ({@code migrate}), the data model's revisions ({@code model}), the
 * dataset handle ({@code dataset}), the tables and their SQL ({@code store}), the JSON formats
 * ({@code json}) and the local server ({@code localserver}) are not exported: nothing outside this
 * module compiles against them.
 */
module dev.cairn.core {
    requires transitive java.sql;
    requires transitive com.fasterxml.jackson.databind;
    requires org.postgresql.jdbc;
    requires com.zaxxer.hikari;
    requires org.apache.commons.compress;
    requires org.tukaani.xz;

    exports dev.cairn;
    exports dev.cairn.api;
    exports dev.cairn.api.migration;
}
