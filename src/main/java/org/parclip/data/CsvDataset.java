package org.parclip.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Image-caption pairs from a CSV with a header, as open_clip's CsvDataset reads them: the image and caption
 * columns are chosen by name (open_clip's --csv-img-key / --csv-caption-key; defaults image, caption as in the PAR
 * reference's CC3M CSVs; open_clip's own CC3M files use filepath, title and tabs). Image paths are relative to an
 * image root (by default the CSV's folder) or absolute.
 */
public final class CsvDataset implements ImageDataset {
    /** Which columns hold the image path and the caption, and the field separator. */
    public record Columns(String image, String caption, char separator) {
        public static final Columns DEFAULT = new Columns("image", "caption", ',');
    }

    private final Path csv;
    private final Columns columns;
    private final List<Path> images;
    private final List<String> captions;

    private CsvDataset(Path csv, Columns columns, List<Path> images, List<String> captions) {
        this.csv = csv;
        this.columns = columns;
        this.images = images;
        this.captions = captions;
    }

    /** Reads {@code csv}; {@code imageRoot} null means the CSV's folder. Files are not opened until loading. */
    public static CsvDataset read(Path csv, Path imageRoot, Columns columns) throws IOException {
        Path root = imageRoot != null ? imageRoot : csv.toAbsolutePath().getParent();
        List<Path> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        for (String[] row : CsvTable.read(csv, columns.separator(), columns.image(), columns.caption())) {
            images.add(ImageDataset.resolve(root, row[0]).toAbsolutePath());
            captions.add(row[1]);
        }
        return new CsvDataset(csv, columns, List.copyOf(images), List.copyOf(captions));
    }

    public Path csv() {
        return csv;
    }

    public Columns columns() {
        return columns;
    }

    @Override
    public int size() {
        return images.size();
    }

    /** The absolute path of sample {@code index}'s image. */
    @Override
    public Path image(int index) {
        return images.get(index);
    }

    public String caption(int index) {
        return captions.get(index);
    }

    /** The captions of a batch, in the batch's order. */
    public List<String> captions(int[] indices) {
        List<String> out = new ArrayList<>(indices.length);
        for (int i : indices) out.add(captions.get(i));
        return out;
    }

    /**
     * {@code n} samples chosen by a seeded shuffle (the reference's --samples takes a subset of the clean set);
     * the whole set when n >= size().
     */
    public CsvDataset sample(int n, long seed) {
        if (n >= size()) return this;
        int[] order = Shuffle.permutation(size(), new SplittableRandom(seed));
        List<Path> im = new ArrayList<>(n);
        List<String> ca = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            im.add(images.get(order[i]));
            ca.add(captions.get(order[i]));
        }
        return new CsvDataset(csv, columns, List.copyOf(im), List.copyOf(ca));
    }
}
