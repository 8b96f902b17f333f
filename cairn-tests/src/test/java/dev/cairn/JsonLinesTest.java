package dev.cairn;

import dev.cairn.api.AlreadyExistsException;
import dev.cairn.api.BoundingBox;
import dev.cairn.api.Classification;
import dev.cairn.api.Dataset;
import dev.cairn.api.Detection;
import dev.cairn.api.Detections;
import dev.cairn.api.FieldType;
import dev.cairn.api.ImportResult;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Metadata;
import dev.cairn.api.Query;
import dev.cairn.api.Sample;
import dev.cairn.testing.Backend;
import dev.cairn.testing.OnAFreshDatabase;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonLinesTest extends OnAFreshDatabase {

    private String export(String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        cairn.export(name, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private ImportResult importText(String text, String name, boolean replace) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return cairn.importLines(new ByteArrayInputStream(bytes), "test.jsonl", name, replace, bytes.length);
    }

    private Dataset richDataset(String name) {
        Dataset d = cairn.create(name);
        d.setInfo(Map.of("source", "unit test", "version", 3, "nested", Map.of("a", List.of(1, 2.5, true))));
        d.setTags(List.of("gold", "v1"));
        d.setClasses(List.of("cat", "dog", "person"));
        d.addField("unused", FieldType.listOf(FieldType.DATETIME));
        for (int i = 0; i < 50; i++) {
            d.add(Sample.of("/imgs/" + i + " with spaces & \"quotes\"\ttab.png")
                    .withTags("t" + (i % 3), "ünïcødé")
                    .withMetadata(i % 7 == 0 ? null : new Metadata(100 + i, 200, (long) i * 1000, "image/png"))
                    .with("f", i * 0.1)
                    .with("n", (long) Integer.MAX_VALUE * i)
                    .with("s", "line\nbreak \\ backslash " + i)
                    .with("when", Instant.parse("2020-02-29T23:59:59.123456789Z").plusSeconds(i))
                    .with("ok", i % 2 == 0)
                    .with("gt", Classification.of("cat"))
                    .with("pred", new Detections(List.of(
                            new Detection("dog", BoundingBox.of(0, 0, 1, 1), 0.25, Map.of("occluded", true)),
                            Detection.of("cat", BoundingBox.of(0.5, 0.5, 0.125, 0.0625)))))
                    .with("xs", List.of(1, 2, 3.5, "x", Map.of()))
                    .with("d", Map.of("k", List.of())));
        }
        return d;
    }

    @Test
    void aDatasetRoundTripsExactlySchemaIncluded() {
        Dataset original = richDataset("original");
        String first = export("original");
        ImportResult r = importText(first, "copy", false);
        assertThat(r.samples()).isEqualTo(50);
        Dataset copy = cairn.dataset("copy");
        assertThat(copy.list(Query.all())).isEqualTo(original.list(Query.all()));
        assertThat(copy.schema()).isEqualTo(original.schema());
        assertThat(copy.info().info()).isEqualTo(original.info().info());
        assertThat(copy.info().tags()).isEqualTo(original.info().tags());
        assertThat(copy.info().classes()).isEqualTo(original.info().classes());
        assertThat(copy.info().createdAt()).isEqualTo(original.info().createdAt());
        String second = export("copy");
        assertThat(second.replace("\"name\":\"copy\"", "\"name\":\"original\"")).isEqualTo(first);
    }

    @Test
    void theHeaderDescribesTheDatasetAndEachLineIsASample() {
        richDataset("h");
        String[] lines = export("h").split("\n");
        assertThat(lines).hasSize(51);
        assertThat(lines[0]).startsWith("{\"cairn\":\"dataset\",\"format\":1,\"name\":\"h\"").contains("\"samples\":50")
                .contains("{\"name\":\"unused\",\"type\":\"list<datetime>\"}");
        assertThat(lines[1]).startsWith("{\"id\":");
    }

    private static final String HEADER = "{\"cairn\":\"dataset\",\"format\":1,\"name\":\"in\",\"fields\":"
            + "[{\"name\":\"n\",\"type\":\"int\"},{\"name\":\"gt\",\"type\":\"classification\"}]}\n";
    private static final String GOOD = "{\"filepath\":\"/a.jpg\",\"fields\":{\"n\":1,\"gt\":{\"label\":\"cat\"}}}\n";

    private void refused(String text, String... expected) throws Exception {
        cairn.create("existing").add(Sample.of("/keep.jpg"));
        String before = Backend.checksum(config);
        var thrown = assertThatThrownBy(() -> importText(text, null, false)).isInstanceOf(InvalidInputException.class);
        for (String e : expected) {
            thrown.hasMessageContaining(e);
        }
        assertThat(Backend.checksum(config)).as("an import is all or nothing").isEqualTo(before);
        assertThat(cairn.exists("in")).isFalse();
        cairn.delete("existing");
    }

    @Test
    void aMalformedLineIsReportedWithItsNumberAndNothingIsImported() throws Exception {
        refused(HEADER + GOOD + GOOD + "{\"filepath\": \"/b.jpg\", \n" + GOOD, "test.jsonl line 4", "not valid JSON");
        refused(HEADER + GOOD + "{\"filepath\":\"/c\",\"fields\":{\"n\":\"seven\"}}\n", "line 3", "field 'n'", "int");
        refused(HEADER + GOOD + "{\"filepath\":\"/c\",\"fields\":{\"zz\":1}}\n", "line 3", "'zz'", "not in the header");
        refused(HEADER + "{\"fields\":{}}\n", "line 2", "filepath");
        refused(HEADER + "{\"id\":\"not-a-uuid\",\"filepath\":\"/c\"}\n", "line 2", "not a sample id");
        refused(HEADER + "[1,2]\n", "line 2", "JSON object");
        refused(HEADER + "{\"filepath\":\"/c\",\"color\":\"red\"}\n", "line 2", "unknown key 'color'");
        refused(HEADER + "{\"filepath\":\"/c\",\"fields\":{\"gt\":{\"label\":7}}}\n", "line 2", "classification");
        refused(HEADER + "{\"filepath\":\"/c\",\"metadata\":{\"width\":-1}}\n", "line 2", "negative");
        refused(HEADER + "{\"filepath\":\"/c\",\"tags\":\"oops\"}\n", "line 2", "tags");
    }

    @Test
    void badHeadersAndFilesAreReported() throws Exception {
        refused("", "empty");
        refused("\n\n", "empty");
        refused("{\"filepath\":\"/a\"}\n", "line 1", "not a Cairn dataset header");
        refused("not json at all\n", "line 1", "not valid JSON");
        refused(HEADER.replace("\"format\":1", "\"format\":2"), "format 2");
        refused(HEADER.replace("\"int\"", "\"integer\""), "'integer' is not a field type");
        refused(HEADER.replace("\"name\":\"in\"", "\"name\":\"\""), "empty");
        refused(HEADER.replace("\"name\":\"in\"", "\"name\":\"" + "x".repeat(10_000) + "\""), "too long");
        refused(HEADER.replace("\"fields\":", "\"surprise\":1,\"fields\":"), "unknown key 'surprise'");
        refused(HEADER.replace("\"name\":\"in\"", "\"name\":\"in\",\"samples\":3") + GOOD + GOOD, "has 2 samples",
                "header says 3");
    }

    @Test
    void bytesThatAreNotUtf8AreReported() throws Exception {
        cairn.create("existing");
        byte[] good = (HEADER + GOOD).getBytes(StandardCharsets.UTF_8);
        byte[] bad = new byte[good.length + 3];
        System.arraycopy(good, 0, bad, 0, good.length);
        bad[good.length] = (byte) 0xC3;
        bad[good.length + 1] = (byte) 0x28;
        bad[good.length + 2] = '\n';
        assertThatThrownBy(() -> cairn.importLines(new ByteArrayInputStream(bad), "bin.jsonl", null, false, -1))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("line 3 is not UTF-8");
        assertThat(cairn.exists("in")).isFalse();
    }

    @Test
    void anExistingNameIsRefusedUnlessReplacedAndAFailedReplaceKeepsTheOriginal() throws Exception {
        cairn.create("in").add(Sample.of("/original.jpg"));
        assertThatThrownBy(() -> importText(HEADER + GOOD, null, false)).isInstanceOf(AlreadyExistsException.class);
        String before = Backend.checksum(config);
        assertThatThrownBy(() -> importText(HEADER + GOOD + "garbage\n", null, true)).isInstanceOf(InvalidInputException.class);
        assertThat(Backend.checksum(config)).isEqualTo(before);
        assertThat(cairn.dataset("in").list(Query.all())).extracting(Sample::filepath).containsExactly("/original.jpg");
        importText(HEADER + GOOD + GOOD, null, true);
        assertThat(cairn.dataset("in").count()).isEqualTo(2);
    }

    @Test
    void samplesWithoutIdsGetNewOnesAndBlankLinesAndCrlfAreFine() {
        importText("\uFEFF" + HEADER.replace("\n", "\r\n") + "\r\n" + GOOD.replace("\n", "\r\n") + "\n" + GOOD, "loose", false);
        assertThat(cairn.dataset("loose").count()).isEqualTo(2);
        assertThat(cairn.dataset("loose").list(Query.all())).extracting(Sample::id).doesNotHaveDuplicates();
    }

    @Test
    void duplicateIdsInAFileAreRefused() {
        String line = "{\"id\":\"0190b5a4-5d2e-7c3a-9f10-6a2b3c4d5e6f\",\"filepath\":\"/a\"}\n";
        assertThatThrownBy(() -> importText(HEADER + line + "\n" + line, "dup", false))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("test.jsonl line 4")
                .hasMessageContaining("0190b5a4-5d2e-7c3a-9f10-6a2b3c4d5e6f").hasMessageContaining("twice");
        assertThat(cairn.exists("dup")).isFalse();
    }
}
