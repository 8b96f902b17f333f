package dev.cairn;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.cairn.api.Field;
import dev.cairn.api.InvalidInputException;
import dev.cairn.api.Values;
import dev.cairn.json.Json;
import dev.cairn.text.JsonErrors;

import java.util.List;
import java.util.Map;

/**
 * Cairn's values in their JSON form, the native format that exports and stored samples use (a
 * classification is {@code {"label": ..., "confidence": ...}}, fractions are exact decimals), for
 * programs that print them: the command's {@code --json}, and the server to come.
 */
public final class NativeJson {

    private NativeJson() {
    }

    /** A dataset's info (or any map of canonical values) as a JSON object. */
    public static JsonNode info(Map<String, Object> info) {
        return Json.encode(Values.jsonObject(info, "info"));
    }

    /** A field schema as JSON: {@code [{"name": ..., "type": ...}, ...]}. */
    public static JsonNode schema(List<Field> fields) {
        return Json.encodeSchema(fields);
    }

    /** JSON text, on one line or indented for people. */
    public static String write(JsonNode node, boolean indented) {
        if (!indented) {
            return Json.write(node);
        }
        try {
            return Json.MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * JSON text read as Cairn reads it: fractions as exact decimals, nothing after the value.
     *
     * @throws InvalidInputException if it is not JSON, saying why in plain words
     */
    public static JsonNode read(String text, String what) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException(what + " is not JSON: " + JsonErrors.reason(e));
        }
    }
}
