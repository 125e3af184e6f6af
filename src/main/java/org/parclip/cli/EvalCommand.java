package org.parclip.cli;

import org.parclip.attack.Attacks;
import org.parclip.data.CsvDataset;
import org.parclip.data.RetrievalDataset;
import org.parclip.eval.RetrievalEval;
import org.parclip.eval.ZeroShotClassifier;
import org.parclip.eval.ZeroShotEval;
import org.parclip.io.AtomicFiles;
import org.parclip.io.Json;
import org.parclip.io.Progress;
import org.parclip.model.ClipModel;
import org.parclip.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code par eval}: zero-shot clean accuracy (top-1/top-5) and, with --attack, the attack success rate over
 * non-target images (spec §8); retrieval recall and text-ASR with --retrieval. Writes OUT/results.json and prints
 * a table.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Zero-shot CA, ASR and retrieval of a checkpoint; writes OUT/results.json.")
public final class EvalCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true)
    Path checkpoint;

    @Option(names = "--data", required = true, description = "Labelled images: class folders or CSV image,label.")
    Path data;

    @Option(names = "--image-root", description = "Root of the CSV's relative paths (default: its folder).")
    Path imageRoot;

    @Option(names = "--classes", description = "Class names (JSON list or lines); default: folder names or ImageNet's.")
    Path classes;

    @Option(names = "--templates", description = "Zero-shot templates (JSON list with {}); default: ImageNet's 80.")
    Path templates;

    @Option(names = "--attack", description = "Trigger to measure the ASR of.")
    String attack;

    @Option(names = "--target", defaultValue = "banana")
    String target;

    @Option(names = "--retrieval", description = "Retrieval set: Karpathy split JSON (test split) or CSV image,caption.")
    Path retrieval;

    @Option(names = "--retrieval-root", description = "Root of the retrieval set's relative image paths (default: its folder).")
    Path retrievalRoot;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the triggers' randomness.")
    long seed;

    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;

    @Option(names = "--workers", defaultValue = "2")
    int workers;

    @Option(names = "--output-dir", required = true)
    Path outputDir;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        Files.createDirectories(outputDir);
        try (Backend be = backendOptions.open()) {
            ClipModel model = Inputs.loadModel(be, checkpoint);
            ZeroShotEval eval = EvalSets.build(data, imageRoot, classes, templates, attack, target, model.imageSize(),
                    seed, workers, batchSize);
            ZeroShotClassifier classifier = ClassEmbeddingCache.load(outputDir, checkpoint, eval,
                    () -> eval.classifier(model, Progress.stderr("class embeddings", eval.classCount())));
            Map<String, Object> results = new LinkedHashMap<>();
            results.put("checkpoint", checkpoint.toString());
            results.put("data", data.toString());
            if (attack != null) {
                results.put("attack", attack);
                results.put("target", target);
            }
            results.putAll(eval.evaluate(model, classifier));
            if (retrieval != null) {
                Inputs.requireFile(retrieval, "--retrieval");
                RetrievalDataset set = retrieval.toString().toLowerCase(Locale.ROOT).endsWith(".json")
                        ? RetrievalDataset.karpathy(retrieval, retrievalRoot, "test")
                        : RetrievalDataset.csv(retrieval, retrievalRoot, CsvDataset.Columns.DEFAULT);
                results.putAll(RetrievalEval.evaluate(model, set, attack == null ? null : Attacks.byName(attack),
                        target, seed, workers, batchSize));
            }
            AtomicFiles.writeString(outputDir.resolve("results.json"), Json.writePretty(results));
            for (Map.Entry<String, Object> e : results.entrySet())
                System.out.printf(Locale.ROOT, "%-28s %s%n", e.getKey(), e.getValue() instanceof Double d
                        ? String.format(Locale.ROOT, "%.2f", d) : e.getValue());
        }
        return 0;
    }
}
