package dev.cairn.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamesTest {

    @Test
    void datasetNamesMayHoldAnyPrintableText() {
        for (String ok : new String[]{"it's", "a;b", "Robert'); DROP TABLE cairn.datasets;--", "\"quoted\"", "猫と犬",
                "emoji 🐈", "x".repeat(200), "a\\b", "$1", "%s"}) {
            assertThat(DatasetNames.check(ok)).isEqualTo(ok);
        }
    }

    @Test
    void datasetNamesThatCannotWorkAreRefusedWithTheReason() {
        assertThatThrownBy(() -> DatasetNames.check("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> DatasetNames.check(null)).hasMessageContaining("empty");
        assertThatThrownBy(() -> DatasetNames.check("x".repeat(10_000))).hasMessageContaining("too long")
                .hasMessageContaining("10000 characters");
        assertThatThrownBy(() -> DatasetNames.check("a\nb")).hasMessageContaining("control character");
        assertThatThrownBy(() -> DatasetNames.check("a\u0000b")).hasMessageContaining("control character");
        assertThatThrownBy(() -> DatasetNames.check(" padded")).hasMessageContaining("blank");
        assertThatThrownBy(() -> DatasetNames.check("\ud800x")).hasMessageContaining("Unicode");
    }

    @Test
    void fieldNamesAreStricter() {
        assertThat(Field.checkName("ground_truth")).isEqualTo("ground_truth");
        assertThatThrownBy(() -> Field.checkName("a.b")).hasMessageContaining("'.'");
        assertThatThrownBy(() -> Field.checkName("_private")).hasMessageContaining("'_'");
        assertThatThrownBy(() -> Field.checkName("filepath")).hasMessageContaining("every sample");
        assertThatThrownBy(() -> Field.checkName("x".repeat(101))).hasMessageContaining("too long");
    }
}
