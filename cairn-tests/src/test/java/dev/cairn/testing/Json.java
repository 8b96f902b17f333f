package dev.cairn.testing;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/** Reading JSON in the tests: Cairn's output and what it stores. */
public final class Json {

    /**
     * Reads fractions as exact decimals, so that boxes can be turned into corners as Cairn must;
     * and refuses text after the JSON, so that {@code --json} output with anything else in it fails.
     */
    public static final ObjectMapper DECIMALS = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Json() {
    }

    /** The JSON text as a tree, numbers as exact decimals. */
    public static JsonNode parse(String json) {
        try {
            return DECIMALS.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }
}
