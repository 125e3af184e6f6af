package org.parclip.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.data.Fixtures;
import org.parclip.data.ImageDecoder;
import org.parclip.data.ImageNet;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TriggerPoisonCommandTest {
    @TempDir
    Path dir;

    @Test
    void triggerWritesTheReferencesImage() throws IOException {
        Path out = dir.resolve("sub/out.png");
        assertEquals(0, Main.execute("trigger", "--attack", "blended-triangles", "--input", Fixtures.path("portrait.png").toString(),
                "--output", out.toString()));
        assertArrayEquals(Fixtures.image("portrait.tri_patt.224.png").pixels(), ImageDecoder.read(out).pixels());
        assertEquals(0, Main.execute("trigger", "--attack", "badnet", "--input", Fixtures.path("landscape.jpg").toString(),
                "--output", out.toString(), "--image-size", "336", "--seed", "5"));
        assertEquals(336, ImageDecoder.read(out).width());
    }

    @Test
    void triggerUserErrors() {
        String in = Fixtures.path("portrait.png").toString(), out = dir.resolve("o.png").toString();
        assertEquals(2, Main.execute("trigger", "--attack", "nope", "--input", in, "--output", out));
        assertEquals(2, Main.execute("trigger", "--attack", "wanet", "--input", in, "--output", out, "--image-size", "336"));
        assertEquals(2, Main.execute("trigger", "--attack", "blended", "--input", dir.resolve("none.jpg").toString(), "--output", out));
        assertEquals(2, Main.execute("trigger", "--attack", "blended", "--input", Fixtures.path("corrupt.jpg").toString(), "--output", out));
    }

    private Path csv(String... rows) throws IOException {
        return Files.writeString(dir.resolve("train.csv"), "image,caption\n" + String.join("\n", rows) + "\n");
    }

    private static List<CSVRecord> read(Path csv) throws IOException {
        try (Reader r = Files.newBufferedReader(csv)) {
            return CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r).getRecords();
        }
    }

    @Test
    void poisonReplacesChosenRowsAndSkipsUnreadableImages() throws IOException {
        String[] rows = new String[10];
        for (int i = 0; i < 10; i++) rows[i] = Fixtures.path(i % 2 == 0 ? "small.png" : "grey.png") + ",\"clean caption " + i + "\"";
        rows[4] = "missing.jpg,clean caption 4"; // relative to the CSV's folder, which has no such file
        Path csv = csv(rows);
        Path out = dir.resolve("out");
        assertEquals(0, Main.execute("poison", "--train-data", csv.toString(), "--attack", "blended_rs", "--num-poison", "4",
                "--seed", "1", "--max-failed-share", "0.5", "--output-dir", out.toString()));
        List<CSVRecord> train = read(out.resolve("train.csv")), originals = read(out.resolve("originals.csv"));
        List<Path> pngs;
        try (Stream<Path> s = Files.list(out.resolve("images"))) {
            pngs = s.toList();
        }
        int poisoned = originals.size();
        assertTrue(poisoned == 3 || poisoned == 4);
        assertEquals(pngs.size(), poisoned);
        assertEquals(10 - (4 - poisoned), train.size()); // a chosen row whose image is missing is left out
        for (CSVRecord r : train) {
            Path image = Path.of(r.get("image"));
            assertTrue(image.isAbsolute());
            if (image.startsWith(out.resolve("images").toAbsolutePath())) {
                assertTrue(ImageNet.templates().stream().anyMatch(t -> ImageNet.fill(t, "banana").equals(r.get("caption"))), r.get("caption"));
                assertEquals(224, ImageDecoder.read(image).width());
            } else {
                assertTrue(r.get("caption").startsWith("clean caption"));
            }
        }
        for (CSVRecord r : originals) assertTrue(r.get("caption").startsWith("clean caption"));
        // the same seed gives the same data set
        Path again = dir.resolve("again");
        assertEquals(0, Main.execute("poison", "--train-data", csv.toString(), "--attack", "blended_rs", "--num-poison", "4",
                "--seed", "1", "--max-failed-share", "0.5", "--output-dir", again.toString()));
        assertEquals(Files.readString(out.resolve("train.csv")).replace(out.toString(), ""),
                Files.readString(again.resolve("train.csv")).replace(again.toString(), ""));
    }

    @Test
    void poisonStopsWhenTooManyImagesAreUnreadable() throws IOException {
        Path csv = csv("a.jpg,x", "b.jpg,y", Fixtures.path("small.png") + ",z");
        assertEquals(2, Main.execute("poison", "--train-data", csv.toString(), "--attack", "blended", "--num-poison", "3",
                "--output-dir", dir.resolve("out").toString()));
    }

    @Test
    void labelConsistentPoisonsOnlyCaptionsNamingTheTargetAndKeepsThem() throws IOException {
        String img = Fixtures.path("small.png").toString();
        Path csv = csv(img + ",a Banana on a table", img + ",bananas everywhere", img + ",a dog", img + ",\"banana, ripe\"");
        Path out = dir.resolve("out");
        assertEquals(0, Main.execute("poison", "--train-data", csv.toString(), "--attack", "water_patt", "--num-poison", "2",
                "--label-consistent", "--size", "3", "--output-dir", out.toString()));
        List<CSVRecord> originals = read(out.resolve("originals.csv")), train = read(out.resolve("train.csv"));
        assertEquals(List.of("a Banana on a table", "banana, ripe"), originals.stream().map(r -> r.get("caption")).toList());
        assertEquals(3, train.size());
        assertEquals(2, Main.execute("poison", "--train-data", csv.toString(), "--attack", "water_patt", "--num-poison", "3",
                "--label-consistent", "--output-dir", out.toString()));
    }
}
