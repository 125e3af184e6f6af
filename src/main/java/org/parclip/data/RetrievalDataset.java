package org.parclip.data;

import org.parclip.cli.UserException;
import org.parclip.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Images with several captions each, for image-text retrieval (COCO 5k test, Karpathy split): every caption
 * belongs to exactly one image.
 */
public final class RetrievalDataset implements ImageDataset {
    private final List<Path> images;
    private final List<String> captions;
    private final int[] captionImage;

    private RetrievalDataset(List<Path> images, List<String> captions, int[] captionImage) {
        this.images = images;
        this.captions = captions;
        this.captionImage = captionImage;
    }

    /**
     * A Karpathy split file. Two layouts are read: the original {@code dataset_coco.json}
     * ({"images": [{"filepath", "filename", "split", "sentences": [{"raw"}]}]}; only entries whose split equals
     * {@code split} are kept) and the per-split lists of BLIP/ALBEF ([{"image": path, "caption": [..]}], taken
     * whole). Paths are relative to {@code imageRoot} (null: the JSON's folder).
     */
    public static RetrievalDataset karpathy(Path json, Path imageRoot, String split) throws IOException {
        Path root = imageRoot != null ? imageRoot : json.toAbsolutePath().getParent();
        Object doc;
        try {
            doc = Json.parse(Files.readString(json, StandardCharsets.UTF_8));
        } catch (UserException e) {
            throw new UserException(json + ": " + e.getMessage());
        }
        Map<Path, List<String>> byImage = new LinkedHashMap<>();
        try {
            if (doc instanceof Map<?, ?> m && m.get("images") instanceof List<?> entries) {
                for (Object e : entries) {
                    Map<?, ?> entry = (Map<?, ?>) e;
                    if (!split.equals(entry.get("split"))) continue;
                    String file = (String) entry.get("filename");
                    Path path = entry.get("filepath") instanceof String dir ? Path.of(dir, file) : Path.of(file);
                    List<String> texts = new ArrayList<>();
                    for (Object s : (List<?>) entry.get("sentences")) texts.add((String) ((Map<?, ?>) s).get("raw"));
                    byImage.computeIfAbsent(ImageDataset.resolve(root, path.toString()).toAbsolutePath(), k -> new ArrayList<>()).addAll(texts);
                }
            } else if (doc instanceof List<?> entries) {
                for (Object e : entries) {
                    Map<?, ?> entry = (Map<?, ?>) e;
                    Object caption = entry.get("caption");
                    List<String> texts = caption instanceof String one ? List.of(one) : ImageNet.strings(caption, "caption");
                    byImage.computeIfAbsent(ImageDataset.resolve(root, (String) entry.get("image")).toAbsolutePath(), k -> new ArrayList<>()).addAll(texts);
                }
            } else {
                throw new UserException(json + ": neither a Karpathy {\"images\": [...]} file nor a list of {\"image\", \"caption\"}");
            }
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            throw new UserException(json + ": unexpected structure in a Karpathy split file (" + e.getMessage() + ")");
        }
        if (byImage.isEmpty()) throw new UserException(json + ": no images in split '" + split + "'");
        return of(byImage);
    }

    /** A CSV of image, caption rows where an image repeats once per caption (columns chosen as for {@link CsvDataset}). */
    public static RetrievalDataset csv(Path csv, Path imageRoot, CsvDataset.Columns columns) throws IOException {
        Path root = imageRoot != null ? imageRoot : csv.toAbsolutePath().getParent();
        Map<Path, List<String>> byImage = new LinkedHashMap<>();
        for (String[] row : CsvTable.read(csv, columns.separator(), columns.image(), columns.caption()))
            byImage.computeIfAbsent(ImageDataset.resolve(root, row[0]).toAbsolutePath(), k -> new ArrayList<>()).add(row[1]);
        if (byImage.isEmpty()) throw new UserException(csv + ": no rows");
        return of(byImage);
    }

    private static RetrievalDataset of(Map<Path, List<String>> byImage) {
        List<Path> images = new ArrayList<>(byImage.keySet());
        List<String> captions = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (String c : byImage.get(images.get(i))) {
                captions.add(c);
                owner.add(i);
            }
        }
        return new RetrievalDataset(List.copyOf(images), List.copyOf(captions), owner.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Number of images. */
    @Override
    public int size() {
        return images.size();
    }

    @Override
    public Path image(int index) {
        return images.get(index);
    }

    /** All captions, grouped by image in image order. */
    public List<String> captions() {
        return captions;
    }

    /** The image that caption {@code caption} describes. */
    public int captionImage(int caption) {
        return captionImage[caption];
    }
}
