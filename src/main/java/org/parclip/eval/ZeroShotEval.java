package org.parclip.eval;

import org.parclip.io.Progress;
import org.parclip.model.ClipModel;
import org.parclip.model.Encoder;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Clean accuracy (top-1, top-5) and attack success rate of a model on preprocessed image arrays (spec §8).
 * Works on arrays so the same code serves files (`par eval`), periodic evaluation while cleaning and the
 * in-memory demo.
 */
public final class ZeroShotEval {
    private final List<String> classNames;
    private final List<String> templates;
    private final Function<List<String>, int[]> tokenize;
    private final float[] clean;
    private final float[] triggered;
    private final int[] labels;
    private final int target;
    private final int batchSize;

    /**
     * @param clean     preprocessed images [n, 3, s, s]
     * @param triggered the same images with the trigger applied before preprocessing, or null (no ASR)
     * @param target    the attack's target class index (ignored without triggered images)
     */
    public ZeroShotEval(List<String> classNames, List<String> templates, Function<List<String>, int[]> tokenize,
                        float[] clean, float[] triggered, int[] labels, int target, int batchSize) {
        this.classNames = classNames;
        this.templates = templates;
        this.tokenize = tokenize;
        this.clean = clean;
        this.triggered = triggered;
        this.labels = labels;
        this.target = target;
        this.batchSize = batchSize;
    }

    /** The class names and templates, for keying caches of the class embeddings. */
    public String describePrompts() {
        return String.join("\u0001", classNames) + "\u0002" + String.join("\u0001", templates);
    }

    public int classCount() {
        return classNames.size();
    }

    /** A classifier from this evaluation's classes and templates for {@code model}. */
    public ZeroShotClassifier classifier(ClipModel model, Progress progress) {
        return ZeroShotClassifier.build(new Encoder(model, batchSize, true), tokenize, classNames, templates, progress);
    }

    /** clean_accuracy, top5_accuracy (and attack_success_rate with its counts when triggered images were given). */
    public Map<String, Object> evaluate(ClipModel model, ZeroShotClassifier classifier) {
        Encoder enc = new Encoder(model, batchSize, true);
        int n = labels.length;
        Map<String, Object> out = new LinkedHashMap<>();
        int[][] pred = classifier.topK(enc.images(clean, n, Progress.silent()), n, 5);
        out.put("clean_accuracy", Metrics.topKAccuracy(pred, labels, 1));
        out.put("top5_accuracy", Metrics.topKAccuracy(pred, labels, 5));
        out.put("images", n);
        if (triggered != null) {
            int[][] tp = classifier.topK(enc.images(triggered, n, Progress.silent()), n, 1);
            Metrics.Asr asr = Metrics.attackSuccessRate(tp, labels, target);
            out.put("attack_success_rate", asr.percent());
            out.put("asr_images", asr.counted());
            out.put("asr_excluded_target_class", asr.excluded());
        }
        return out;
    }

    /** Builds the classifier and evaluates in one call (periodic evaluation during training). */
    public Map<String, Object> evaluate(ClipModel model) {
        return evaluate(model, classifier(model, Progress.silent()));
    }
}
