package dev.cairn.store;

import java.util.List;

/** PostgreSQL's COPY text format: one row a line, columns split by tabs, {@code \N} for null. */
final class CopyText {

    private CopyText() {
    }

    /** One sample table row (id, filepath, tags, metadata, fields), ended by a newline. */
    static void row(StringBuilder out, String id, String filepath, List<String> tags, String metadata, String fields) {
        field(out, id);
        out.append('\t');
        field(out, filepath);
        out.append('\t');
        textArray(out, tags);
        out.append('\t');
        field(out, metadata);
        out.append('\t');
        field(out, fields);
        out.append('\n');
    }

    static void field(StringBuilder out, String value) {
        if (value == null) {
            out.append("\\N");
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(c);
            }
        }
    }

    /** A text[] column: the array literal, then escaped as any field. */
    static void textArray(StringBuilder out, List<String> values) {
        StringBuilder literal = new StringBuilder("{");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                literal.append(',');
            }
            literal.append('"');
            String v = values.get(i);
            for (int j = 0; j < v.length(); j++) {
                char c = v.charAt(j);
                if (c == '"' || c == '\\') {
                    literal.append('\\');
                }
                literal.append(c);
            }
            literal.append('"');
        }
        field(out, literal.append('}').toString());
    }
}
