package dev.cairn.api.migration;

import java.util.List;

/**
 * What {@code cairn admin init} set up: the database's two roles, and the login roles that are
 * members of them.
 *
 * @param adminRole  the role that owns the database's records; its members are Cairn admins
 * @param userRole   the role whose members are Cairn users; it owns nothing
 * @param created    whether the Cairn database was created now
 * @param users      the login roles: name, and whether they are admins
 */
public record AdminSetup(String adminRole, String userRole, boolean created, List<DatabaseUser> users) {

    /** A login role of the database and whether it is an admin. */
    public record DatabaseUser(String name, boolean admin) {
    }
}
