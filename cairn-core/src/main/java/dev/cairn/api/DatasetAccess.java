package dev.cairn.api;

import java.util.Map;
import java.util.Optional;

/**
 * Who may do what with one dataset: its owner (who created it; none for datasets made before
 * access control was set up), the level every regular user has unless granted more, the levels
 * granted to users by name, and the level of the user asking. Admins manage every dataset.
 */
public record DatasetAccess(String dataset, Optional<String> owner, AccessLevel defaultLevel,
                            Map<String, AccessLevel> users, AccessLevel yours) {
    public DatasetAccess {
        users = Map.copyOf(users);
    }
}
