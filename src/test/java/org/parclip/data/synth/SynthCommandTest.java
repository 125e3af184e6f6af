package org.parclip.data.synth;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.CliRun;
import org.parclip.cli.Main;
import org.parclip.io.Json;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynthCommandTest {
    @TempDir
    Path tmp;

    @Test
    void writesReadableCsvJsonAndPngsMatchingTheWorld() throws IOException {
        Path dir = tmp.resolve("world");
        assertEquals(0, Main.execute("synth", "--output-dir", dir.toString(), "--size", "40", "--eval-size", "24",
                "--seed", "3", "--target-rarity", "1"));

        ShapeWorld world = new ShapeWorld(3);
        List<CSVRecord> train = readCsv(dir.resolve("train.csv"), "image", "caption");
        assertEquals(40, train.size());
        for (int i = 0; i < train.size(); i++) {
            CSVRecord r = train.get(i);
            assertEquals("images/train/" + String.format("%06d", i) + ".png", r.get("image"));
            assertEquals(world.caption(i), r.get("caption"));
            assertPngIs(dir.resolve(r.get("image")), world.sample(i));
        }

        List<String> classes = parseStringList(Files.readString(dir.resolve("classes.json")));
        assertEquals(ShapeWorld.classNames(), classes);
        assertTrue(classes.contains("banana"));
        List<String> templates = parseStringList(Files.readString(dir.resolve("templates.json")));
        assertEquals(ShapeWorld.zeroShotTemplates(), templates);

        List<CSVRecord> eval = readCsv(dir.resolve("eval.csv"), "image", "label");
        assertEquals(24, eval.size());
        int[] perClass = new int[classes.size()];
        for (int j = 0; j < eval.size(); j++) {
            CSVRecord r = eval.get(j);
            assertTrue(classes.contains(r.get("label")), r.get("label"));
            perClass[classes.indexOf(r.get("label"))]++;
            Sample s = world.sample(ShapeWorld.EVAL_OFFSET + j);
            assertEquals(s.className(), r.get("label"));
            assertPngIs(dir.resolve(r.get("image")), s);
        }
        for (int c : perClass) assertEquals(3, c, Arrays.toString(perClass));  // 24 = 3 blocks of 8: exact balance
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files left");
        }
    }

    @Test
    void byDefaultTheTargetIsAsRareAsInTheDemosWorld() throws IOException {
        Path dir = tmp.resolve("rare");
        assertEquals(0, Main.execute("synth", "--output-dir", dir.toString(), "--size", "142", "--eval-size", "0",
                "--seed", "5"));
        ShapeWorld world = new ShapeWorld(5, ShapeWorld.DEFAULT_IMAGE_SIZE, ShapeWorld.DEFAULT_TARGET_RARITY);
        List<CSVRecord> train = readCsv(dir.resolve("train.csv"), "image", "caption");
        int bananas = 0;
        for (int i = 0; i < train.size(); i++) {
            assertEquals(world.caption(i), train.get(i).get("caption"));
            if (world.classOf(i) == ShapeWorld.classIndex(ShapeWorld.TARGET_CLASS)) bananas++;
        }
        assertEquals(2, bananas);  // 142 = 2 blocks of 7 x 10 + 1: one banana in each
        assertTrue(readCsv(dir.resolve("eval.csv"), "image", "label").isEmpty());
    }

    @Test
    void sameSeedGivesIdenticalFilesAndOtherSeedsDiffer() throws IOException {
        Path a = tmp.resolve("a"), b = tmp.resolve("b"), c = tmp.resolve("c");
        for (Path p : List.of(a, b))
            assertEquals(0, Main.execute("synth", "--output-dir", p.toString(), "--size", "16", "--eval-size", "8",
                    "--seed", "11", "--image-size", "48"));
        assertEquals(0, Main.execute("synth", "--output-dir", c.toString(), "--size", "16", "--eval-size", "8",
                "--seed", "12", "--image-size", "48"));
        for (String f : List.of("train.csv", "eval.csv", "images/train/000000.png", "images/eval/000007.png")) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
            if (f.endsWith(".png")) assertFalse(Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(c.resolve(f))));
        }
        assertFalse(Files.readString(a.resolve("train.csv")).equals(Files.readString(c.resolve("train.csv"))));
        assertEquals(48, ImageIO.read(a.resolve("images/train/000003.png").toFile()).getWidth());
    }

    @Test
    void badArgumentsAreUserErrors() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");
        assertEquals(2, Main.execute("synth", "--output-dir", file.toString(), "--size", "4"));
        assertEquals(2, Main.execute("synth", "--output-dir", tmp.resolve("x").toString(), "--size", "0"));
        assertEquals(2, Main.execute("synth", "--output-dir", tmp.resolve("x").toString(), "--size", "4", "--image-size", "2"));
        assertEquals(2, Main.execute("synth", "--output-dir", tmp.resolve("x").toString(), "--size", "4", "--eval-size", "-1"));
        assertEquals(2, Main.execute("synth", "--output-dir", tmp.resolve("x").toString(), "--size", "4", "--target-rarity", "0"));
        assertEquals(2, Main.execute("synth", "--size", "4"));
        assertFalse(Files.exists(tmp.resolve("x")));
    }

    @Test
    void aFileSystemRefusalIsReportedAsAnIoErrorNotAsABug() throws IOException {
        Path file = Files.writeString(tmp.resolve("in-the-way"), "x");
        String err = CliRun.expect(1, "synth", "--output-dir", file.resolve("sub").toString(), "--size", "4").err();
        assertTrue(err.contains("par synth: I/O error: " + file.resolve("sub")), err);
        assertFalse(err.contains("internal error"), err);
    }

    private static List<CSVRecord> readCsv(Path csv, String... header) throws IOException {
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader r = Files.newBufferedReader(csv); CSVParser p = CSVParser.parse(r, format)) {
            assertEquals(List.of(header), p.getHeaderNames());
            return p.getRecords();
        }
    }

    private static void assertPngIs(Path png, Sample s) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        int n = s.size();
        assertEquals(n, img.getWidth());
        assertEquals(n, img.getHeight());
        float[] got = new float[3 * n * n];
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                int p = img.getRGB(x, y);
                got[y * n + x] = ((p >> 16) & 0xFF) / 255f;
                got[n * n + y * n + x] = ((p >> 8) & 0xFF) / 255f;
                got[2 * n * n + y * n + x] = (p & 0xFF) / 255f;
            }
        assertArrayEquals(s.rgb01(), got, png.toString());
    }

    /** A strict parser for a JSON array of strings (all these files hold), so the test checks well-formedness. */
    static List<String> parseStringList(String json) {
        List<String> out = new ArrayList<>();
        int[] pos = {0};
        skipWs(json, pos);
        expect(json, pos, '[');
        skipWs(json, pos);
        if (json.charAt(pos[0]) == ']') pos[0]++;
        else {
            while (true) {
                skipWs(json, pos);
                out.add(parseString(json, pos));
                skipWs(json, pos);
                char c = json.charAt(pos[0]++);
                if (c == ']') break;
                if (c != ',') throw new IllegalArgumentException("expected , or ] at " + (pos[0] - 1));
            }
        }
        skipWs(json, pos);
        if (pos[0] != json.length()) throw new IllegalArgumentException("trailing content at " + pos[0]);
        return out;
    }

    private static String parseString(String s, int[] pos) {
        expect(s, pos, '"');
        StringBuilder sb = new StringBuilder();
        while (true) {
            char c = s.charAt(pos[0]++);
            if (c == '"') return sb.toString();
            if (c < 0x20) throw new IllegalArgumentException("control character in string");
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            char e = s.charAt(pos[0]++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                case 'r' -> sb.append('\r');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    sb.append((char) Integer.parseInt(s.substring(pos[0], pos[0] + 4), 16));
                    pos[0] += 4;
                }
                default -> throw new IllegalArgumentException("bad escape \\" + e);
            }
        }
    }

    private static void expect(String s, int[] pos, char c) {
        if (s.charAt(pos[0]) != c) throw new IllegalArgumentException("expected " + c + " at " + pos[0]);
        pos[0]++;
    }

    private static void skipWs(String s, int[] pos) {
        while (pos[0] < s.length() && Character.isWhitespace(s.charAt(pos[0]))) pos[0]++;
    }

    @Test
    void jsonStringEscapesRoundTrip() {
        String tricky = "a \"quoted\" \\ {} \n\t\u0001 é";
        assertEquals(List.of(tricky, "x"), parseStringList(Json.write(List.of(tricky, "x"))));
    }
}
