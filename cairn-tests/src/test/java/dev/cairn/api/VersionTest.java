package dev.cairn.api;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionTest {

    @Test
    void comparesNumericallyNotAsText() {
        assertThat(Version.parse("0.10.0")).isGreaterThan(Version.parse("0.9.0"));
        assertThat(Version.parse("1.0.0")).isGreaterThan(Version.parse("0.99.99"));
        assertThat(Version.parse("0.3.0")).isEqualTo(Version.of(0, 3, 0));
        assertThat(Version.min(Version.parse("0.2.0"), Version.parse("0.1.5"))).isEqualTo(Version.parse("0.1.5"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "1", "1.2", "1.2.3.4", "v0.2", "v0.2.0", "-1", "-1.0.0", "0.2.x", "01.2.3",
            "1.2.3 ", " 1.2.3", "1..2", "1.2.3-beta", "１.２.３", "9999999999.0.0", "0.2.0;DROP TABLE x"})
    void refusesAnythingButMajorMinorPatch(String text) {
        assertThatThrownBy(() -> Version.parse(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("MAJOR.MINOR.PATCH");
    }

    @Test
    void aLeadingVIsExplained() {
        assertThatThrownBy(() -> Version.parse("v0.2.0")).hasMessageContaining("without the leading 'v'");
    }

    @Test
    void controlCharactersAreShownEscapedInMessages() {
        assertThatThrownBy(() -> Version.parse("0.1\u001b[31m")).hasMessageContaining("\\u001b")
                .hasMessageNotContaining("\u001b");
    }
}
