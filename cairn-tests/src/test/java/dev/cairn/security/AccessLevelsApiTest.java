package dev.cairn.security;

import dev.cairn.Cairn;
import dev.cairn.api.AccessLevel;
import dev.cairn.api.CairnException;
import dev.cairn.api.DatasetAccess;
import dev.cairn.api.DatasetInfo;
import dev.cairn.api.NotFoundException;
import dev.cairn.api.RefusedException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;

import static dev.cairn.security.SecurityFixture.ALICE_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_DATASET;
import static dev.cairn.security.SecurityFixture.BOB_LAZY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;


/**
 * Access levels through the Java API, as the weakest user: the same rules as
 * {@link AccessLevelsCliTest}, through {@code Cairn.access}, {@code grant}, {@code revoke} and
 * {@code setDefaultAccess}.
 */
class AccessLevelsApiTest {

    private SecurityFixture f;

    @BeforeEach
    void fixture() {
        f = SecurityFixture.build();
    }

    private Cairn as(String user, boolean admin) {
        return Cairn.open(f.config(user, admin));
    }

    private static long exported(Cairn cairn, String dataset) {
        return cairn.export(dataset, new ByteArrayOutputStream());
    }

    @Test
    void noAccessViewEditManageAndRevoke() {
        try (Cairn bob = as(f.bob, false); Cairn carol = as(f.carol, false)) {
            assertThat(carol.datasets()).extracting(DatasetInfo::name).doesNotContain(BOB_DATASET, BOB_LAZY, ALICE_DATASET);
            assertThatThrownBy(() -> carol.dataset(BOB_DATASET)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> carol.access(BOB_DATASET)).isInstanceOf(NotFoundException.class);

            DatasetAccess access = bob.access(BOB_DATASET);
            assertThat(access.owner()).contains(f.bob);
            assertThat(access.defaultLevel()).isEqualTo(AccessLevel.NONE);

            bob.grant(BOB_DATASET, f.carol, AccessLevel.VIEW);
            assertThat(bob.access(BOB_DATASET).users()).containsEntry(f.carol, AccessLevel.VIEW);
            assertThat(exported(carol, BOB_DATASET)).isEqualTo(12);
            assertThatThrownBy(() -> carol.rename(BOB_DATASET, "x")).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> carol.delete(BOB_DATASET)).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> carol.grant(BOB_DATASET, f.carol, AccessLevel.MANAGE)).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> carol.setDefaultAccess(BOB_DATASET, AccessLevel.EDIT)).isInstanceOf(RefusedException.class);

            bob.grant(BOB_DATASET, f.carol, AccessLevel.EDIT);
            carol.dataset(BOB_DATASET).count();
            assertThatThrownBy(() -> carol.rename(BOB_DATASET, "x")).isInstanceOf(RefusedException.class);
            assertThatThrownBy(() -> carol.revoke(BOB_DATASET, f.bob)).isInstanceOf(RefusedException.class);

            bob.grant(BOB_DATASET, f.carol, AccessLevel.MANAGE);
            carol.rename(BOB_DATASET, "renamed by carol");
            carol.rename("renamed by carol", BOB_DATASET);

            bob.revoke(BOB_DATASET, f.carol);
            assertThatThrownBy(() -> carol.dataset(BOB_DATASET)).isInstanceOf(NotFoundException.class);
            assertThat(bob.access(BOB_DATASET).users()).doesNotContainKey(f.carol);
        }
    }

    @Test
    void defaultLevelAdminsAndLazyUpgradesByViewers() {
        try (Cairn alice = as(f.alice, true); Cairn bob = as(f.bob, false); Cairn carol = as(f.carol, false)) {
            bob.setDefaultAccess(BOB_DATASET, AccessLevel.VIEW);
            assertThat(bob.access(BOB_DATASET).defaultLevel()).isEqualTo(AccessLevel.VIEW);
            assertThat(exported(carol, BOB_DATASET)).isEqualTo(12);
            bob.setDefaultAccess(BOB_DATASET, AccessLevel.NONE);
            assertThatThrownBy(() -> carol.dataset(BOB_DATASET)).isInstanceOf(NotFoundException.class);

            assertThat(alice.access(BOB_DATASET).owner()).contains(f.bob);
            alice.grant(BOB_LAZY, f.carol, AccessLevel.VIEW);
            assertThat(f.datasetVersion(BOB_LAZY)).isEqualTo("0.1.0");
            carol.dataset(BOB_LAZY).count();
            assertThat(f.datasetVersion(BOB_LAZY)).as("upgraded lazily by a viewer").isEqualTo("0.4.0");

            assertThatThrownBy(() -> bob.access(ALICE_DATASET)).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> bob.grant(ALICE_DATASET, f.bob, AccessLevel.MANAGE)).isInstanceOf(CairnException.class);
            assertThat(bob.datasets()).extracting(DatasetInfo::name).doesNotContain(ALICE_DATASET);
        }
    }
}
