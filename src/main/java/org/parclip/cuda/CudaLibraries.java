package org.parclip.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.SequencedSet;

/**
 * Finds the CUDA libraries at run time and loads them with java.lang.foreign.
 *
 * <p>Why not JCuda: its natives (12.6) are linked against libcublas.so.12, and the GPU machines this project runs on
 * carry CUDA 13 only. Binding the C APIs through FFM and resolving the libraries at run time works with CUDA 12 and
 * 13 alike (the driver API, cuBLAS's and cuDNN's entry points used here are the same in both), needs no native code
 * of our own, and lets a PyTorch virtualenv's pip-installed CUDA libraries serve when the system has none.
 *
 * <p>Search order: the directories in {@code PARCLIP_CUDA_LIB_PATH} (colon-separated), {@code LD_LIBRARY_PATH},
 * the system and CUDA toolkit directories, {@code $CONDA_PREFIX/lib}, then the {@code nvidia/<package>/lib}
 * directories of Python environments (pip's nvidia-cublas, nvidia-cudnn wheels), and last the dynamic linker's
 * own search by file name (ld.so.cache). Within a directory the newest listed version wins.
 */
@SuppressWarnings("restricted") // loading native libraries is what this class is for
public final class CudaLibraries {
    /** Colon-separated directories searched before any other. */
    public static final String PATH_ENV = "PARCLIP_CUDA_LIB_PATH";

    private static final List<String> SYSTEM_DIRS = List.of(
            "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/cuda/lib64",
            "/usr/local/cuda/targets/x86_64-linux/lib", "/usr/local/nvidia/lib64", "/usr/local/nvidia/lib",
            "/usr/lib/wsl/lib");

    /** Python environments' lib directories; "*" matches one path element. */
    private static final List<String> PYTHON_PATTERNS = List.of(
            "lib/python3*/site-packages/nvidia/*/lib", "lib/python3*/dist-packages/nvidia/*/lib");

    private CudaLibraries() {
    }

    /** The directories searched, in order; only those that exist. */
    public static List<Path> searchDirectories() {
        SequencedSet<Path> dirs = new LinkedHashSet<>();
        addPathList(dirs, System.getenv(PATH_ENV));
        addPathList(dirs, System.getenv("LD_LIBRARY_PATH"));
        SYSTEM_DIRS.forEach(d -> dirs.add(Path.of(d)));
        String conda = System.getenv("CONDA_PREFIX");
        if (conda != null && !conda.isBlank()) dirs.add(Path.of(conda, "lib"));
        List<String> pythonRoots = new ArrayList<>();
        String venv = System.getenv("VIRTUAL_ENV");
        if (venv != null && !venv.isBlank()) pythonRoots.add(venv);
        String home = System.getProperty("user.home");
        pythonRoots.addAll(List.of(home + "/.venv", home + "/.local", "/opt/*", "/opt/*/.venv", "/opt/*/venv",
                "/usr/local", "/usr"));
        for (String root : pythonRoots)
            for (String p : PYTHON_PATTERNS) dirs.addAll(glob(root + "/" + p));
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    /**
     * The first of {@code fileNames} found in {@code dirs}, directory by directory (a directory's first listed
     * name wins, so list the newest version first).
     */
    public static Optional<Path> locate(List<String> fileNames, List<Path> dirs) {
        for (Path dir : dirs)
            for (String name : fileNames) {
                Path p = dir.resolve(name);
                if (Files.isRegularFile(p)) return Optional.of(p);
            }
        return Optional.empty();
    }

    /** A loaded library: where it came from (a path, or a bare file name found by the dynamic linker). */
    public record Loaded(String origin, SymbolLookup symbols) {
    }

    /**
     * Loads the first of {@code fileNames} found (see the class doc), for the rest of the JVM's life.
     *
     * @param what a human name for messages ("the CUDA driver", "cuBLAS")
     * @throws CudaException when none is found or loads; the message lists every place tried
     */
    public static Loaded load(String what, List<String> fileNames) {
        List<Path> dirs = searchDirectories();
        Optional<Path> found = locate(fileNames, dirs);
        List<String> failures = new ArrayList<>();
        if (found.isPresent()) {
            try {
                return new Loaded(found.get().toString(), SymbolLookup.libraryLookup(found.get(), Arena.global()));
            } catch (IllegalArgumentException e) {
                failures.add(found.get() + " exists but did not load: " + e.getMessage());
            }
        }
        for (String name : fileNames) {
            try {
                return new Loaded(name, SymbolLookup.libraryLookup(name, Arena.global()));
            } catch (IllegalArgumentException e) {
                // not known to the dynamic linker either; reported below with the directories tried
            }
        }
        throw new CudaException(notFoundMessage(what, fileNames, dirs, failures));
    }

    /** Loads {@code fileName} from {@code dir} if it is there (to pre-resolve a dependency); false otherwise. */
    static boolean preload(Path dir, String fileName) {
        Path p = dir.resolve(fileName);
        if (!Files.isRegularFile(p)) return false;
        try {
            SymbolLookup.libraryLookup(p, Arena.global());
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String notFoundMessage(String what, List<String> fileNames, List<Path> dirs, List<String> failures) {
        StringBuilder sb = new StringBuilder();
        sb.append(what).append(" not found: looked for ").append(String.join(", ", fileNames)).append(" in ");
        if (dirs.isEmpty()) sb.append("(no existing directory)");
        else sb.append(String.join(", ", dirs.stream().map(Path::toString).toList()));
        sb.append(", and through the dynamic linker's default search");
        for (String f : failures) sb.append("; ").append(f);
        sb.append(". Set ").append(PATH_ENV).append(" to the directory that holds it.");
        return sb.toString();
    }

    private static void addPathList(SequencedSet<Path> dirs, String list) {
        if (list == null) return;
        for (String s : list.split(":"))
            if (!s.isBlank()) dirs.add(Path.of(s));
    }

    /** Expands a path whose elements may contain '*' (one directory level each), in sorted order. */
    static List<Path> glob(String pattern) {
        List<Path> current = List.of(Path.of("/"));
        for (String part : pattern.split("/")) {
            if (part.isEmpty()) continue;
            List<Path> next = new ArrayList<>();
            for (Path base : current) {
                if (!part.contains("*")) {
                    next.add(base.resolve(part));
                    continue;
                }
                if (!Files.isDirectory(base)) continue;
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(base, part)) {
                    List<Path> matches = new ArrayList<>();
                    ds.forEach(matches::add);
                    matches.sort(null);
                    next.addAll(matches);
                } catch (IOException e) {
                    // unreadable directory: nothing to find there
                }
            }
            current = next;
        }
        return current;
    }
}
