package org.parclip.data;

import org.parclip.cli.UserException;
import org.parclip.io.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The bundled ImageNet-1k class names and the 80 zero-shot prompt templates ("a photo of a {}."). */
public final class ImageNet {
    /** The backdoor target of the reference attacks, class index 954. */
    public static final String TARGET = "banana";

    private static final List<String> CLASSES = resource("classes.json");
    private static final List<String> TEMPLATES = resource("templates.json");

    private ImageNet() {
    }

    /** The 1,000 class names in label order (the sorted WordNet ids of the validation folders). */
    public static List<String> classNames() {
        return CLASSES;
    }

    /** The 80 templates, each with one "{}" where the class name goes. */
    public static List<String> templates() {
        return TEMPLATES;
    }

    /** Templates from a JSON array of strings, each containing "{}". */
    public static List<String> readTemplates(Path file) throws IOException {
        try {
            return checkTemplates(strings(Json.parse(Files.readString(file, StandardCharsets.UTF_8)), "templates"), file.toString());
        } catch (UserException | IllegalArgumentException e) {
            throw new UserException(file + ": " + e.getMessage());
        }
    }

    /** A parsed JSON value as a list of strings, or IllegalArgumentException saying what {@code what} should have been. */
    static List<String> strings(Object value, String what) {
        if (!(value instanceof List<?> list)) throw new IllegalArgumentException(what + " must be a JSON array of strings");
        List<String> out = new ArrayList<>(list.size());
        for (Object o : list) {
            if (!(o instanceof String str)) throw new IllegalArgumentException(what + " must be a JSON array of strings");
            out.add(str);
        }
        return out;
    }

    /** {@code template} with its "{}" replaced by {@code label}. */
    public static String fill(String template, String label) {
        return template.replace("{}", label);
    }

    private static List<String> checkTemplates(List<String> templates, String source) {
        if (templates.isEmpty()) throw new IllegalArgumentException("no templates in " + source);
        for (String t : templates)
            if (!t.contains("{}")) throw new IllegalArgumentException("template '" + t + "' has no {} for the label");
        return List.copyOf(templates);
    }

    private static List<String> resource(String name) {
        try (InputStream in = ImageNet.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("resource org/parclip/data/" + name + " missing from the build");
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<String> values = strings(Json.parse(text), name);
            return name.equals("templates.json") ? checkTemplates(values, name) : List.copyOf(values);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
