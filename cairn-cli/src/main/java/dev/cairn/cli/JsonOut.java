package dev.cairn.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.NativeJson;

import java.io.PrintStream;

/** JSON for scripts: one document on standard output, nothing else there. */
final class JsonOut {

    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonOut() {
    }

    static ObjectNode object() {
        return NODES.objectNode();
    }

    static ArrayNode array() {
        return NODES.arrayNode();
    }

    static void print(PrintStream out, JsonNode node) {
        out.println(NativeJson.write(node, true));
    }
}
