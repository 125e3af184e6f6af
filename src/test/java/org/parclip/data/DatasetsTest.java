package org.parclip.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.parclip.cli.UserException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void csvDatasetResolvesRelativePathsAgainstTheCsvFolderOrARoot() throws IOException {
        Path csv = Files.writeString(dir.resolve("train.csv"),
                ",image,caption\n0,a/x.jpg,\"a dog, running\"\n1,/abs/y.png,a cat\n"); // pandas' index column first
        CsvDataset d = CsvDataset.read(csv, null, CsvDataset.Columns.DEFAULT);
        assertEquals(2, d.size());
        assertEquals(dir.resolve("a/x.jpg").toAbsolutePath(), d.image(0));
        assertEquals(Path.of("/abs/y.png"), d.image(1));
        assertEquals("a dog, running", d.caption(0));
        assertEquals(List.of("a cat", "a dog, running"), d.captions(new int[]{1, 0}));
        Path root = dir.resolve("images");
        assertEquals(root.resolve("a/x.jpg").toAbsolutePath(), CsvDataset.read(csv, root, CsvDataset.Columns.DEFAULT).image(0));
    }

    @Test
    void csvDatasetTakesOtherColumnsAndSeparators() throws IOException {
        Path tsv = Files.writeString(dir.resolve("cc3m.tsv"), "title\tfilepath\nsome caption\timg/0.jpg\n");
        CsvDataset d = CsvDataset.read(tsv, null, new CsvDataset.Columns("filepath", "title", '\t'));
        assertEquals("some caption", d.caption(0));
        UserException e = assertThrows(UserException.class, () -> CsvDataset.read(tsv, null, CsvDataset.Columns.DEFAULT));
        assertTrue(e.getMessage().contains("no column 'image'"), e.getMessage());
    }

    @Test
    void imageFolderSortsClassesAndFilesLikeTorchvision() throws IOException {
        for (String f : List.of("b/2.jpg", "b/10.JPG", "a/z.png", "a/sub/a.jpg", "a/notes.txt", "c/x.jpeg"))
            Files.createDirectories(dir.resolve(f).getParent()).resolve(Path.of(f).getFileName()).toFile().createNewFile();
        LabelledDataset d = LabelledDataset.folder(dir);
        assertEquals(List.of("a", "b", "c"), d.classes());
        assertEquals(5, d.size());
        // os.walk order sorted by folder path, then file names: a/z.png before a/sub/a.jpg ("a" < "a/sub")
        assertEquals(dir.resolve("a/z.png").toAbsolutePath(), d.image(0));
        assertEquals(dir.resolve("a/sub/a.jpg").toAbsolutePath(), d.image(1));
        assertEquals(dir.resolve("b/10.JPG").toAbsolutePath(), d.image(2));
        assertArrayEquals(new int[]{0, 0, 1, 1, 2}, d.labels(new int[]{0, 1, 2, 3, 4}));
    }

    @Test
    void labelledCsvTakesIndicesOrClassNames() throws IOException {
        Path csv = Files.writeString(dir.resolve("labels.csv"), "image,label\nx.jpg,954\ny.jpg,banana\nz.jpg,tench\n");
        LabelledDataset d = LabelledDataset.csv(csv, null, ImageNet.classNames(), "image", "label");
        assertArrayEquals(new int[]{954, 954, 0}, d.labels(new int[]{0, 1, 2}));
        Files.writeString(csv, "image,label\nx.jpg,1000\n");
        assertThrows(UserException.class, () -> LabelledDataset.csv(csv, null, ImageNet.classNames(), "image", "label"));
        Files.writeString(csv, "image,label\nx.jpg,bananas\n");
        assertThrows(UserException.class, () -> LabelledDataset.csv(csv, null, ImageNet.classNames(), "image", "label"));
    }

    @Test
    void retrievalFromKarpathyJsonKeepsTheSplit() throws IOException {
        Path json = Files.writeString(dir.resolve("dataset_coco.json"), """
                {"images": [
                  {"filepath": "val2014", "filename": "a.jpg", "split": "test", "sentences": [{"raw": "one", "tokens": ["one"]}, {"raw": "two"}]},
                  {"filepath": "val2014", "filename": "b.jpg", "split": "train", "sentences": [{"raw": "skip"}]},
                  {"filepath": "val2014", "filename": "c.jpg", "split": "test", "sentences": [{"raw": "three \\u00e9"}]}
                ], "dataset": "coco"}""");
        RetrievalDataset d = RetrievalDataset.karpathy(json, dir.resolve("coco"), "test");
        assertEquals(2, d.size());
        assertEquals(dir.resolve("coco/val2014/c.jpg").toAbsolutePath(), d.image(1));
        assertEquals(List.of("one", "two", "three é"), d.captions());
        assertEquals(1, d.captionImage(2));
        Path blip = Files.writeString(dir.resolve("coco_karpathy_test.json"),
                "[{\"image\": \"val2014/a.jpg\", \"caption\": [\"x\", \"y\"]}, {\"image\": \"val2014/c.jpg\", \"caption\": \"z\"}]");
        RetrievalDataset b = RetrievalDataset.karpathy(blip, null, "test");
        assertEquals(List.of("x", "y", "z"), b.captions());
        assertEquals(dir.resolve("val2014/a.jpg").toAbsolutePath(), b.image(0));
    }

    @Test
    void retrievalFromCsvGroupsRepeatedImages() throws IOException {
        Path csv = Files.writeString(dir.resolve("coco.csv"), "image,caption\na.jpg,one\nb.jpg,two\na.jpg,three\n");
        RetrievalDataset d = RetrievalDataset.csv(csv, null, CsvDataset.Columns.DEFAULT);
        assertEquals(2, d.size());
        assertEquals(List.of("one", "three", "two"), d.captions());
        assertEquals(0, d.captionImage(1));
        assertEquals(1, d.captionImage(2));
    }

    @Test
    void imageNetResources() {
        assertEquals(1000, ImageNet.classNames().size());
        assertEquals("banana", ImageNet.classNames().get(954));
        assertEquals(80, ImageNet.templates().size());
        assertEquals("a bad photo of a banana.", ImageNet.fill(ImageNet.templates().get(0), ImageNet.TARGET));
    }
}
