package dev.cairn.testing;

import dev.cairn.api.CairnConfig;
import dev.cairn.store.Postgres;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/** Stops the embedded test server when the test run ends, so that it does not outlive the build. */
public final class StopEmbeddedServer implements LauncherSessionListener {

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        try {
            Postgres.embeddedServer(CairnConfig.builder().home(Backend.home()).postgresBinaries(Backend.binaries())
                    .build()).stop();
        } catch (RuntimeException e) {
            System.err.println("could not stop the embedded test server: " + e.getMessage());
        }
    }
}
