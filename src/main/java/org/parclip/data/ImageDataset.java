package org.parclip.data;

import java.nio.file.Path;

/** An indexed set of image files, what the {@link Loader} reads from. */
public interface ImageDataset {
    int size();

    /** The file of sample {@code index}, 0 <= index < size(); it may be missing or corrupt (the loader skips it). */
    Path image(int index);

    /** A relative path taken against {@code root}; an absolute one as it is. */
    static Path resolve(Path root, String path) {
        Path p = Path.of(path);
        return p.isAbsolute() ? p : root.resolve(p);
    }
}
