package dev.cairn.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** A plain text table: columns padded to their widest cell, a header, no borders. */
final class Table {

    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    Table(String... header) {
        this.header = List.of(header);
    }

    Table row(Object... cells) {
        List<String> r = new ArrayList<>();
        for (Object c : cells) {
            r.add(c == null ? "-" : dev.cairn.api.Texts.printable(c.toString()));
        }
        rows.add(r);
        return this;
    }

    boolean isEmpty() {
        return rows.isEmpty();
    }

    void print(PrintStream out) {
        int[] widths = new int[header.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = width(header.get(i));
            for (List<String> r : rows) {
                widths[i] = Math.max(widths[i], width(r.get(i)));
            }
        }
        line(out, header, widths);
        for (List<String> r : rows) {
            line(out, r, widths);
        }
    }

    private static void line(PrintStream out, List<String> cells, int[] widths) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            s.append(c);
            if (i < cells.size() - 1) {
                s.append(" ".repeat(widths[i] - width(c) + 2));
            }
        }
        out.println(s.toString().stripTrailing());
    }

    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
