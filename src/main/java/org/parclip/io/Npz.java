package org.parclip.io;

import org.parclip.cli.UserException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** NumPy .npz archives ({@code np.savez}): a zip of .npy files, keyed by name without the ".npy". */
public final class Npz {
    private Npz() {
    }

    public static Map<String, NpyArray> read(Path path) throws IOException {
        return parse(MappedFiles.map(path), path.getFileName().toString());
    }

    static Map<String, NpyArray> parse(MemorySegment seg, String what) {
        if (!ZipArchive.looksLikeZip(seg)) throw new UserException(what + " is not a .npz (zip) archive");
        ZipArchive zip = ZipArchive.open(seg, what);
        Map<String, NpyArray> out = new LinkedHashMap<>();
        for (String name : zip.entries().keySet()) {
            if (!name.endsWith(".npy")) throw new UserException(what + ": unexpected entry " + name);
            out.put(name.substring(0, name.length() - 4), Npy.parse(zip.read(name), what + ":" + name));
        }
        return out;
    }
}
