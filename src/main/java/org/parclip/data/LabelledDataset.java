package org.parclip.data;

import org.parclip.cli.UserException;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Images with class labels, for zero-shot accuracy: an ImageFolder-style tree or a CSV of image, label. */
public final class LabelledDataset implements ImageDataset {
    /** torchvision's IMG_EXTENSIONS. */
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp");

    private final List<String> classes;
    private final List<Path> images;
    private final int[] labels;

    private LabelledDataset(List<String> classes, List<Path> images, int[] labels) {
        this.classes = classes;
        this.images = images;
        this.labels = labels;
    }

    /**
     * torchvision's ImageFolder: one sub-folder per class, classes sorted by name and numbered from 0, images found
     * recursively (following links) with an image extension, folders in path order and files by name within each.
     * For ImageNet's validation set the sorted WordNet ids line up with {@link ImageNet#classNames()}.
     */
    public static LabelledDataset folder(Path root) throws IOException {
        if (!Files.isDirectory(root)) throw new UserException(root + ": not a folder");
        List<String> classes;
        try (Stream<Path> children = Files.list(root)) {
            classes = children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        if (classes.isEmpty()) throw new UserException(root + ": no class folders");
        List<Path> images = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Map<String, List<Path>> byFolder = new TreeMap<>();
            try (Stream<Path> files = Files.walk(root.resolve(classes.get(c)), FileVisitOption.FOLLOW_LINKS)) {
                files.filter(p -> Files.isRegularFile(p) && hasImageExtension(p))
                        .forEach(p -> byFolder.computeIfAbsent(p.getParent().toString(), k -> new ArrayList<>()).add(p));
            }
            if (byFolder.isEmpty()) throw new UserException(root.resolve(classes.get(c)) + ": no images in class folder");
            for (List<Path> files : byFolder.values()) {
                files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
                for (Path f : files) {
                    images.add(f.toAbsolutePath());
                    labels.add(c);
                }
            }
        }
        return new LabelledDataset(classes, List.copyOf(images), labels.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * A CSV with a header: {@code imageColumn} holds paths (relative to {@code imageRoot}, null meaning the CSV's
     * folder), {@code labelColumn} a class index into {@code classNames} or a class name from it.
     */
    public static LabelledDataset csv(Path csv, Path imageRoot, List<String> classNames, String imageColumn,
                                      String labelColumn) throws IOException {
        Path root = imageRoot != null ? imageRoot : csv.toAbsolutePath().getParent();
        Map<String, Integer> byName = new TreeMap<>();
        for (int i = 0; i < classNames.size(); i++) byName.putIfAbsent(classNames.get(i), i);
        List<String[]> rows = CsvTable.read(csv, ',', imageColumn, labelColumn);
        List<Path> images = new ArrayList<>(rows.size());
        int[] labels = new int[rows.size()];
        for (int r = 0; r < rows.size(); r++) {
            images.add(ImageDataset.resolve(root, rows.get(r)[0]).toAbsolutePath());
            labels[r] = label(rows.get(r)[1].strip(), byName, classNames.size(), csv);
        }
        return new LabelledDataset(List.copyOf(classNames), List.copyOf(images), labels);
    }

    private static int label(String value, Map<String, Integer> byName, int classes, Path csv) {
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            int index;
            try {
                index = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || index >= classes)
                throw new UserException(csv + ": label " + value + " is not a class index (0.." + (classes - 1) + ")");
            return index;
        }
        Integer index = byName.get(value);
        if (index == null) throw new UserException(csv + ": label '" + value + "' is neither a class index nor a class name");
        return index;
    }

    private static boolean hasImageExtension(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    public List<String> classes() {
        return classes;
    }

    @Override
    public int size() {
        return images.size();
    }

    @Override
    public Path image(int index) {
        return images.get(index);
    }

    public int label(int index) {
        return labels[index];
    }

    /** The labels of a batch, in the batch's order. */
    public int[] labels(int[] indices) {
        int[] out = new int[indices.length];
        for (int i = 0; i < indices.length; i++) out[i] = labels[indices[i]];
        return out;
    }
}
