package org.parclip.cli;

import org.parclip.data.synth.ShapeWorld;
import org.parclip.data.synth.SynthWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code par synth}: writes the synthetic shape world (the demo's data) as PNG files plus CSV/JSON indexes. */
@Command(name = "synth", mixinStandardHelpOptions = true,
        description = {
                "Write a synthetic image-caption data set: coloured shapes on textured backgrounds, captions naming "
                        + "colour and shape, and a labelled evaluation set for zero-shot classification.",
                "Output: DIR/train.csv (image,caption), DIR/eval.csv (image,label), DIR/images/{train,eval}/*.png, "
                        + "DIR/classes.json, DIR/templates.json. Use --image-root DIR when reading the CSVs."})
public final class SynthCommand implements Callable<Integer> {

    @Option(names = "--output-dir", required = true, paramLabel = "DIR", description = "Directory to write into.")
    Path outputDir;

    @Option(names = "--size", required = true, paramLabel = "N", description = "Number of training pairs.")
    int size;

    @Option(names = "--image-size", paramLabel = "S", defaultValue = "32",
            description = "Image side in pixels (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "World seed; the same seed gives identical files (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--eval-size", paramLabel = "M", defaultValue = "1000",
            description = "Number of labelled evaluation images (default: ${DEFAULT-VALUE}).")
    int evalSize;

    @Option(names = "--target-rarity", paramLabel = "R", defaultValue = "" + ShapeWorld.DEFAULT_TARGET_RARITY,
            description = "How many times rarer the target class (banana) is than each other class; 1 = balanced "
                    + "(default: ${DEFAULT-VALUE}, the demo's world).")
    int targetRarity;

    @Option(names = "--threads", paramLabel = "T", defaultValue = "2",
            description = "Threads rendering and encoding PNGs (default: ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws IOException {
        if (size < 1) throw new UserException("--size must be at least 1, got " + size);
        if (evalSize < 0) throw new UserException("--eval-size must be >= 0, got " + evalSize);
        if (imageSize < 8 || imageSize > 1024)
            throw new UserException("--image-size must be between 8 and 1024, got " + imageSize);
        if (targetRarity < 1 || targetRarity > ShapeWorld.MAX_TARGET_RARITY)
            throw new UserException("--target-rarity must be between 1 and " + ShapeWorld.MAX_TARGET_RARITY + ", got "
                    + targetRarity);
        if (threads < 1) throw new UserException("--threads must be at least 1, got " + threads);
        if (Files.exists(outputDir) && !Files.isDirectory(outputDir))
            throw new UserException("--output-dir exists and is not a directory: " + outputDir);

        long start = System.nanoTime();
        ShapeWorld world = new ShapeWorld(seed, imageSize, targetRarity);
        new SynthWriter(world, threads, System.err).write(outputDir, size, evalSize);
        double s = (System.nanoTime() - start) / 1e9;
        System.err.printf("synth: wrote %d training and %d evaluation images (%dx%d, seed %d) to %s in %.1f s%n",
                size, evalSize, imageSize, imageSize, seed, outputDir, s);
        return 0;
    }
}
