package dev.cairn.model;

import dev.cairn.api.Release;
import dev.cairn.api.Version;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

/** The release table (releases.tsv): what it says, how this build joins it, and that it tells the truth. */
class ReleaseTableTest {

    private static final String A = "24fe4309455e64fbdbf4c010acf504bfc14875f8";
    private static final String B = "7d400597ded994d205f38fc29c7647bada0ddcb4";
    private static final List<Release> TWO = List.of(Release.cut("0.1.0", "0.1.0", A), Release.cut("0.4.0", "0.4.0", B));

    @Test
    void theJarCarriesTheTableAtTheRepositorysRoot() throws IOException {
        assertThat(ReleaseTable.recorded()).isEqualTo(ReleaseTable.parse(Files.readString(Path.of("releases.tsv"))));
        assertThat(ReleaseTable.recorded()).isNotEmpty().allMatch(Release::recorded);
    }

    @Test
    void rowsAreReleaseDataModelAndCommitOldestFirst() {
        assertThat(ReleaseTable.parse("# comment\n\n0.1.0\t0.1.0\t" + A + "\n  0.4.0  0.4.0 " + B + "  \n")).isEqualTo(TWO);
        assertThatThrownBy(() -> ReleaseTable.parse("0.4.0 0.4.0 " + B + "\n0.1.0 0.1.0 " + A))
                .hasMessageContaining("line 2").hasMessageContaining("oldest first");
        assertThatThrownBy(() -> ReleaseTable.parse("0.1.0 0.1.0")).hasMessageContaining("line 1").hasMessageContaining("COMMIT");
        assertThatThrownBy(() -> ReleaseTable.parse("0.1.0 0.1.0 24fe430")).hasMessageContaining("40");
        assertThatThrownBy(() -> ReleaseTable.parse("v0.1.0 0.1.0 " + A)).hasMessageContaining("line 1");
    }

    @Test
    void aBuildNewerThanEveryRecordedReleaseIsListedLastWithoutACommit() {
        List<Release> all = ReleaseTable.withThisBuild(TWO, Version.parse("0.5.0"), Version.parse("0.5.0"));
        assertThat(all).hasSize(3).startsWith(TWO.toArray(Release[]::new));
        assertThat(all.get(2)).isEqualTo(Release.of("0.5.0", "0.5.0"));
        assertThat(ReleaseTable.withThisBuild(TWO, Version.parse("0.4.1"), Version.parse("0.4.0")).get(2))
                .as("a release can keep its data model").isEqualTo(Release.of("0.4.1", "0.4.0"));
    }

    @Test
    void aBuildOfARecordedReleaseIsThatRelease() {
        assertThat(ReleaseTable.withThisBuild(TWO, Version.parse("0.4.0"), Version.parse("0.4.0"))).isEqualTo(TWO);
        assertThat(ReleaseTable.withThisBuild(TWO, Version.parse("0.1.0"), Version.parse("0.1.0"))).containsExactly(TWO.get(0));
        assertThatThrownBy(() -> ReleaseTable.withThisBuild(TWO, Version.parse("0.4.0"), Version.parse("0.5.0")))
                .hasMessageContaining("bump the version in pom.xml");
        assertThatThrownBy(() -> ReleaseTable.withThisBuild(TWO, Version.parse("0.3.0"), Version.parse("0.3.0")))
                .hasMessageContaining("does not list");
    }

    /**
     * Every recorded commit is in this repository's history and its pom.xml carries the release's
     * version (that it builds is what .ci/old-client-walkthrough proves for the oldest one).
     */
    @Test
    void everyRecordedCommitIsOnThisBranchWithItsReleasesVersion() throws Exception {
        assumeThat(Files.exists(Path.of(".git"))).as("a git checkout").isTrue();
        assumeThat(git("rev-parse", "--is-shallow-repository").out.strip()).as("a clone with its history, not a shallow one")
                .isEqualTo("false");
        for (Release r : ReleaseTable.recorded()) {
            String commit = r.commit().orElseThrow();
            assertThat(git("merge-base", "--is-ancestor", commit, "HEAD").exit).as("%s is an ancestor of HEAD", commit).isZero();
            Git pom = git("show", commit + ":pom.xml");
            assertThat(pom.exit).isZero();
            assertThat(pom.out).as("pom.xml of release %s at %s", r.release(), commit)
                    .containsPattern("</modelVersion>\\s*<groupId>dev.cairn</groupId>\\s*<artifactId>cairn</artifactId>\\s*<version>"
                            + r.release().toString().replace(".", "\\.") + "</version>");
        }
    }

    private record Git(int exit, String out) {
    }

    private static Git git(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Git(p.exitValue(), out);
    }
}
