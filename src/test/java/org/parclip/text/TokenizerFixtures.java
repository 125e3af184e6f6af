package org.parclip.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the tokenizer fixtures: JSON lines of the form {"text": "...", "ids": [1, 2, 3]}, as Python's json writes them. */
final class TokenizerFixtures {
    record Example(String text, int[] ids) {
    }

    private TokenizerFixtures() {
    }

    static List<Example> load(String resource) {
        try (InputStream in = TokenizerFixtures.class.getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException("missing test resource " + resource);
            List<Example> out = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) out.add(parse(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Example parse(String line) {
        int p = line.indexOf("\"text\"");
        p = line.indexOf('"', line.indexOf(':', p) + 1) + 1;
        StringBuilder text = new StringBuilder();
        while (line.charAt(p) != '"') {
            char c = line.charAt(p++);
            if (c != '\\') {
                text.append(c);
                continue;
            }
            char e = line.charAt(p++);
            switch (e) {
                case 'n' -> text.append('\n');
                case 't' -> text.append('\t');
                case 'r' -> text.append('\r');
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'u' -> {
                    text.append((char) Integer.parseInt(line.substring(p, p + 4), 16));
                    p += 4;
                }
                default -> text.append(e); // \" \\ \/
            }
        }
        int open = line.indexOf('[', line.indexOf("\"ids\""));
        int close = line.indexOf(']', open);
        String[] parts = line.substring(open + 1, close).split(",");
        int[] ids = new int[parts.length];
        for (int i = 0; i < ids.length; i++) ids[i] = Integer.parseInt(parts[i].trim());
        return new Example(text.toString(), ids);
    }
}
