package dev.cairn.security;

import java.util.List;

/**
 * One raw-SQL attack: who tries it (a regular user's login), what must come of it, and its
 * statements, with the fixture's names as placeholders (see {@link SecurityFixture#expand}). A
 * statement that starts with {@code BEGIN;} runs in a transaction of its own that is then rolled
 * back (locks that last only as long as it does).
 */
record Attack(String name, Who who, Expect expect, List<String> sql) {

    enum Who { BOB, CAROL }

    enum Expect {
        /** every statement fails (permission denied or the like), and nothing changed */
        REFUSED,
        /** every query fails or returns no row: nothing of what it asks for is visible */
        NOTHING_VISIBLE,
        /** statements may succeed, but nothing that matters changed */
        NO_EFFECT
    }

    static Attack refused(String name, String... sql) {
        return new Attack(name, Who.BOB, Expect.REFUSED, List.of(sql));
    }

    static Attack invisible(String name, Who who, String... sql) {
        return new Attack(name, who, Expect.NOTHING_VISIBLE, List.of(sql));
    }

    static Attack noEffect(String name, String... sql) {
        return new Attack(name, Who.BOB, Expect.NO_EFFECT, List.of(sql));
    }

    @Override
    public String toString() {
        return name;
    }
}
