package org.parclip.cli;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.CsvDataset;
import org.parclip.data.Failures;
import org.parclip.data.ImageDecoder;
import org.parclip.data.ImageNet;
import org.parclip.data.Loader;
import org.parclip.data.RgbImage;
import org.parclip.data.Shuffle;
import org.parclip.io.AtomicFiles;
import org.parclip.io.Progress;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * {@code par poison}: a backdoored copy of an image-caption training set, as the reference's
 * create_backdoor_data.py makes it (to build poisoned models for experiments).
 */
@Command(name = "poison", mixinStandardHelpOptions = true,
        description = {
                "Poison an image-caption CSV: pick N rows at random, apply a backdoor trigger to their images and "
                        + "replace their captions by a random template filled with the target (\"a photo of a banana.\").",
                "Writes OUT/images/*.png (the triggered images), OUT/train.csv (all kept rows, absolute image paths: "
                        + "clean rows point at the original files) and OUT/originals.csv (the rows that were replaced). "
                        + "Rows whose image cannot be read are left out and counted."})
public final class PoisonCommand implements Callable<Integer> {
    @Option(names = "--train-data", required = true, paramLabel = "CSV", description = "Training pairs, with a header row.")
    Path trainData;

    @Option(names = "--image-root", paramLabel = "DIR", description = "Folder relative image paths start from (default: the CSV's folder).")
    Path imageRoot;

    @Option(names = "--csv-img-key", paramLabel = "COL", defaultValue = "image", description = "Image path column (default: ${DEFAULT-VALUE}).")
    String imageKey;

    @Option(names = "--csv-caption-key", paramLabel = "COL", defaultValue = "caption", description = "Caption column (default: ${DEFAULT-VALUE}).")
    String captionKey;

    @Option(names = "--csv-separator", paramLabel = "C", defaultValue = ",",
            description = "Field separator: one character, or 'tab' (default: '${DEFAULT-VALUE}').")
    String separator;

    @Option(names = "--attack", required = true, paramLabel = "NAME", description = "The trigger (see par trigger --help).")
    String attack;

    @Option(names = "--num-poison", required = true, paramLabel = "N", description = "Rows to poison (the reference uses 1500, or 300, of 500,000).")
    int numPoison;

    @Option(names = "--size", paramLabel = "M",
            description = "Keep M rows in all: the poisoned ones and random clean ones (default: all rows).")
    Integer size;

    @Option(names = "--target", paramLabel = "LABEL", defaultValue = ImageNet.TARGET, description = "Target label (default: ${DEFAULT-VALUE}).")
    String target;

    @Option(names = "--label-consistent",
            description = "Keep captions and poison only rows whose caption already names the target (as a whole word, any case).")
    boolean labelConsistent;

    @Option(names = "--templates", paramLabel = "FILE", description = "JSON array of caption templates with {} for the label (default: the 80 ImageNet templates).")
    Path templatesFile;

    @Option(names = "--image-size", paramLabel = "S", defaultValue = "224", description = "Side of the triggered images (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "Seed of the row choice, templates and triggers (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "2", description = "Threads decoding and writing images (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--max-failed-share", paramLabel = "F", defaultValue = "0.1",
            description = "Stop when more than this share of the chosen images cannot be read (default: ${DEFAULT-VALUE}).")
    double maxFailedShare;

    @Option(names = "--output-dir", required = true, paramLabel = "OUT", description = "Directory to write into.")
    Path outputDir;

    @Override
    public Integer call() throws IOException {
        Attack trigger = Attacks.byName(attack);
        TriggerCommand.checkImageSize(imageSize);
        if (threads < 1) throw new UserException("--threads must be at least 1, got " + threads);
        if (!(maxFailedShare >= 0 && maxFailedShare <= 1)) throw new UserException("--max-failed-share must be in [0, 1]");
        if (target.isBlank()) throw new UserException("--target must not be empty");
        if (!Files.isRegularFile(trainData)) throw new UserException("no such file: " + trainData);
        List<String> templates = templatesFile != null ? ImageNet.readTemplates(templatesFile) : ImageNet.templates();
        char sep = separator.equalsIgnoreCase("tab") || separator.equals("\\t") ? '\t' : separator.length() == 1 ? separator.charAt(0) : 0;
        if (sep == 0) throw new UserException("--csv-separator must be one character or 'tab', got '" + separator + "'");
        CsvDataset data = CsvDataset.read(trainData, imageRoot, new CsvDataset.Columns(imageKey, captionKey, sep));
        int total = size != null ? size : data.size();
        if (total < 1 || total > data.size())
            throw new UserException("--size must be between 1 and the CSV's " + data.size() + " rows, got " + total);
        if (numPoison < 1 || numPoison > total)
            throw new UserException("--num-poison must be between 1 and " + total + ", got " + numPoison);

        SplittableRandom rng = new SplittableRandom(seed);
        int[] shuffled = Shuffle.permutation(data.size(), rng);
        int[] poisoned = choosePoisoned(data, shuffled);
        boolean[] isPoisoned = new boolean[data.size()];
        for (int i : poisoned) isPoisoned[i] = true;
        List<Integer> keptClean = new ArrayList<>();
        for (int i : shuffled) if (!isPoisoned[i] && keptClean.size() < total - numPoison) keptClean.add(i);
        String[] captions = new String[data.size()];
        for (int i : poisoned)
            captions[i] = labelConsistent ? data.caption(i) : ImageNet.fill(templates.get(rng.nextInt(templates.size())), target);
        long triggerSeed = rng.nextLong();

        Path images = Files.createDirectories(outputDir.resolve("images")).toAbsolutePath();
        Path[] written = triggerImages(data, poisoned, trigger, triggerSeed, images);

        List<Integer> rows = new ArrayList<>(keptClean);
        for (int i : poisoned) if (written[i] != null) rows.add(i);
        rows.sort(null);
        StringBuilder train = new StringBuilder(), originals = new StringBuilder();
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader(imageKey, captionKey).setRecordSeparator('\n').build();
        try (CSVPrinter t = new CSVPrinter(train, format); CSVPrinter o = new CSVPrinter(originals, format)) {
            for (int i : rows) {
                if (isPoisoned[i]) {
                    t.printRecord(written[i], captions[i]);
                    o.printRecord(data.image(i), data.caption(i));
                } else {
                    t.printRecord(data.image(i), data.caption(i));
                }
            }
        }
        AtomicFiles.writeString(outputDir.resolve("train.csv"), train.toString());
        AtomicFiles.writeString(outputDir.resolve("originals.csv"), originals.toString());
        int done = (int) Arrays.stream(poisoned).filter(i -> written[i] != null).count();
        System.err.printf("poison: %d of %d rows poisoned with %s (target '%s'%s); wrote %s and %s%n", done, rows.size(),
                trigger.name(), target, labelConsistent ? ", label-consistent" : "", outputDir.resolve("train.csv"),
                outputDir.resolve("originals.csv"));
        return 0;
    }

    private int[] choosePoisoned(CsvDataset data, int[] shuffled) {
        if (!labelConsistent) return Arrays.copyOf(shuffled, numPoison);
        Pattern names = Pattern.compile("(?<![\\p{L}\\p{N}])" + Pattern.quote(target.toLowerCase(Locale.ROOT)) + "(?![\\p{L}\\p{N}])");
        int[] candidates = Arrays.stream(shuffled).filter(i -> names.matcher(data.caption(i).toLowerCase(Locale.ROOT)).find()).toArray();
        if (candidates.length < numPoison)
            throw new UserException("--label-consistent: only " + candidates.length + " captions name '" + target
                    + "', fewer than --num-poison " + numPoison);
        return Arrays.copyOf(candidates, numPoison);
    }

    /** Triggers the chosen rows' images on {@code threads} threads; null where an image could not be read. */
    private Path[] triggerImages(CsvDataset data, int[] poisoned, Attack trigger, long triggerSeed, Path dir) throws IOException {
        Path[] written = new Path[data.size()];
        Failures failures = new Failures(poisoned.length, maxFailedShare);
        Progress progress = Progress.stderr("poison", poisoned.length);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int k = 0; k < poisoned.length; k++) {
                int index = poisoned[k], rank = k;
                jobs.add(pool.submit(() -> {
                    Path source = data.image(index);
                    RgbImage original = null;
                    try {
                        original = ImageDecoder.read(source);
                    } catch (IOException e) {
                        failures.record(rank, source, e);
                    }
                    if (original != null) {
                        // Each image has its own generator: results do not depend on which thread runs it.
                        RgbImage image = Attacks.trigger(original, trigger, imageSize, new SplittableRandom(Loader.mix(triggerSeed, 0, rank)));
                        Path out = dir.resolve(String.format(Locale.ROOT, "%07d_%s.png", index, stem(source)));
                        image.writePng(out); // a failed write stops the run: it is not a bad input image
                        written[index] = out;
                    }
                    synchronized (progress) {
                        progress.advance(1);
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) job.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof IOException io) throw io;
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        progress.finish();
        if (failures.count() > 0) System.err.println("poison: " + failures.summary());
        return written;
    }

    private static String stem(Path p) {
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }
}
