package org.parclip.cli;

import org.parclip.io.LittleEndian;
import org.parclip.io.Npy;
import org.parclip.io.NpyArray;
import org.parclip.text.ClipTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/** {@code par tokenize}: captions to CLIP token ids in a .npy file, and back to text. */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize captions with CLIP's BPE (open_clip framing) into an int64 [N, context] .npy, "
                + "or with --decode print the text of each row of a token .npy.",
        footer = {"", "Each line of --texts is one caption (lines end at \\n; a \\r before it is dropped; an empty line "
                + "is an empty caption). Rows are [49406] + ids + [49407], cut to the context length with 49407 last, "
                + "zero-padded."})
public final class TokenizeCommand implements Callable<Integer> {
    /** Captions per work unit handed to a thread. */
    private static final int BLOCK = 4096;

    @Option(names = "--texts", paramLabel = "FILE", description = "UTF-8 text file, one caption per line.")
    Path texts;

    @Option(names = "--output", paramLabel = "T.npy", description = "Where to write the int64 token ids.")
    Path output;

    @Option(names = "--context-length", paramLabel = "N", defaultValue = "77",
            description = "Tokens per row (default: ${DEFAULT-VALUE}).")
    int contextLength;

    @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--decode", description = "Decode the rows of --input instead, one line of text per row.")
    boolean decode;

    @Option(names = "--input", paramLabel = "T.npy", description = "int32 or int64 token .npy to decode (with --decode).")
    Path input;

    @Override
    public Integer call() throws Exception {
        if (decode) {
            if (input == null) throw new UserException("--decode needs --input T.npy");
            if (texts != null || output != null) throw new UserException("--decode takes --input only, not --texts/--output");
            decodeRows();
            return 0;
        }
        if (texts == null || output == null) throw new UserException("needs --texts FILE and --output T.npy (or --decode --input T.npy)");
        if (input != null) throw new UserException("--input is for --decode; use --texts to tokenize");
        if (contextLength < 1) throw new UserException("--context-length must be at least 1, got " + contextLength);
        int nThreads = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        if (nThreads < 1) throw new UserException("--threads must be at least 1, got " + nThreads);
        Path dir = output.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) throw new UserException("output directory does not exist: " + dir);
        tokenizeFile(nThreads);
        return 0;
    }

    private void tokenizeFile(int nThreads) throws IOException, InterruptedException, ExecutionException {
        ClipTokenizer tok = ClipTokenizer.get();
        long t0 = System.nanoTime();
        List<String> captions = readLines(texts);
        int n = captions.size();
        long t1 = System.nanoTime();
        System.err.printf("par tokenize: %,d captions read in %.1f s; tokenizing on %d thread(s)%n", n, (t1 - t0) / 1e9, nThreads);
        long lastReport = t1;
        try (ExecutorService pool = Executors.newFixedThreadPool(nThreads, r -> {
                Thread t = new Thread(r, "tokenize");
                t.setDaemon(true);
                return t;
            });
             Npy.Int64Rows out = new Npy.Int64Rows(output, n, contextLength)) {
            // Blocks are tokenized in parallel and written in order, with a bounded number in flight.
            ArrayDeque<Future<int[][]>> inFlight = new ArrayDeque<>();
            int next = 0;
            int done = 0;
            while (done < n) {
                while (next < n && inFlight.size() < 2 * nThreads) {
                    List<String> block = captions.subList(next, Math.min(n, next + BLOCK));
                    inFlight.add(pool.submit(() -> tok.tokenize(block, contextLength)));
                    next += block.size();
                }
                for (int[] row : inFlight.removeFirst().get()) out.append(row, 0, row.length);
                done = Math.min(n, done + BLOCK);
                long now = System.nanoTime();
                if (now - lastReport > 2_000_000_000L) {
                    System.err.printf("par tokenize: %,d / %,d (%,.0f captions/s)%n", done, n, done / ((now - t1) / 1e9));
                    lastReport = now;
                }
            }
            out.commit();
        }
        double seconds = (System.nanoTime() - t1) / 1e9;
        System.err.printf("par tokenize: %,d captions in %.2f s (%,.0f captions/s) -> %s [%d, %d] int64%n",
                n, seconds, n / Math.max(seconds, 1e-9), output, n, contextLength);
    }

    /** Lines split at '\n' with one trailing '\r' dropped; a final line break does not start another caption. */
    static List<String> readLines(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        // InputStreamReader replaces malformed UTF-8 with U+FFFD rather than failing.
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8), 1 << 16)) {
            StringBuilder line = new StringBuilder();
            char[] buf = new char[1 << 16];
            boolean pending = false;
            for (int len; (len = r.read(buf)) > 0; ) {
                int start = 0;
                for (int i = 0; i < len; i++) {
                    if (buf[i] != '\n') continue;
                    line.append(buf, start, i - start);
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') end--;
                    lines.add(line.substring(0, end));
                    line.setLength(0);
                    start = i + 1;
                }
                line.append(buf, start, len - start);
                pending = !line.isEmpty();
            }
            if (pending) {
                int end = line.length();
                if (line.charAt(end - 1) == '\r') end--;
                lines.add(line.substring(0, end));
            }
        }
        return lines;
    }

    private void decodeRows() throws IOException {
        ClipTokenizer tok = ClipTokenizer.get();
        NpyArray npy = Npy.read(input); // memory-mapped: rows are read from the file, never copied whole
        int[] shape = npy.shape();
        if (!npy.dtype().equals("<i4") && !npy.dtype().equals("<i8"))
            throw new UserException(input + ": token ids must be int32 or int64, not " + npy.dtype());
        if (shape.length != 1 && shape.length != 2)
            throw new UserException(input + ": token ids must be 1-D or 2-D, shape is "
                    + Arrays.toString(shape).replace('[', '(').replace(']', ')'));
        long rows = shape.length == 1 ? 1 : shape[0];
        int[] row = new int[shape[shape.length - 1]];
        boolean wide = npy.dtype().equals("<i8");
        MemorySegment data = npy.data();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        for (long r = 0, at = 0; r < rows; r++) {
            for (int i = 0; i < row.length; i++, at += wide ? 8 : 4) {
                long v = wide ? data.get(LittleEndian.LONG, at) : data.get(LittleEndian.INT, at);
                if (v < 0 || v >= ClipTokenizer.VOCAB_SIZE) throw new UserException("token id out of range: " + v);
                row[i] = (int) v;
            }
            // One line per row: line breaks that decoded bytes may hold become spaces.
            out.println(tok.decode(row).replace('\n', ' ').replace('\r', ' ').stripTrailing());
        }
        out.flush();
    }
}
