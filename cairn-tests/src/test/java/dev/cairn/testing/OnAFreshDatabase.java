package dev.cairn.testing;

import dev.cairn.Cairn;
import dev.cairn.api.CairnConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** For a test class whose every test uses Cairn, opened by an admin of this release, on a fresh database. */
public abstract class OnAFreshDatabase {

    protected CairnConfig config;
    protected Cairn cairn;

    @BeforeEach
    protected final void openCairn() {
        config = Backend.fresh();
        cairn = Cairn.open(config);
    }

    @AfterEach
    protected final void closeCairn() {
        cairn.close();
    }
}
