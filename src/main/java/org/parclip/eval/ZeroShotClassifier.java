package org.parclip.eval;

import org.parclip.io.Progress;
import org.parclip.model.Encoder;

import java.util.List;
import java.util.function.Function;

/**
 * CLIP's zero-shot classifier (spec §8): each class is the normalised mean of the normalised text embeddings of
 * every template filled with its name; an image is assigned the class of highest cosine similarity.
 */
public final class ZeroShotClassifier {
    private final float[] weights; // [classes, embed], unit rows
    private final int classes;
    private final int embed;

    public ZeroShotClassifier(float[] weights, int classes) {
        if (classes < 1 || weights.length % classes != 0) throw new IllegalArgumentException("bad class weights");
        this.weights = weights;
        this.classes = classes;
        this.embed = weights.length / classes;
    }

    /**
     * Builds the class embeddings with {@code encoder} (which must L2-normalise) from token rows made by
     * {@code tokenize} for each filled template ("{}" replaced by the class name, as Python's str.format does).
     */
    public static ZeroShotClassifier build(Encoder encoder, Function<List<String>, int[]> tokenize,
                                           List<String> classNames, List<String> templates, Progress progress) {
        float[] w = null;
        int t = templates.size();
        for (int c = 0; c < classNames.size(); c++) {
            String name = classNames.get(c);
            List<String> prompts = templates.stream().map(tpl -> tpl.replace("{}", name)).toList();
            float[] f = encoder.texts(tokenize.apply(prompts), t, Progress.silent());
            int e = f.length / t;
            if (w == null) w = new float[classNames.size() * e];
            double[] mean = new double[e];
            for (int i = 0; i < t; i++) for (int j = 0; j < e; j++) mean[j] += f[i * e + j];
            double norm = 0;
            for (double v : mean) norm += v * v;
            norm = Math.sqrt(norm);
            for (int j = 0; j < e; j++) w[c * e + j] = (float) (mean[j] / Math.max(norm, 1e-12));
            progress.advance(1);
        }
        progress.finish();
        return new ZeroShotClassifier(w, classNames.size());
    }

    public float[] weights() {
        return weights.clone();
    }

    public int classes() {
        return classes;
    }

    /** The k best classes per image, best first, for normalised image features [n, embed]. */
    public int[][] topK(float[] imageFeatures, int n, int k) {
        if (imageFeatures.length != n * embed) throw new IllegalArgumentException("features do not match the classifier");
        int kk = Math.min(k, classes);
        int[][] out = new int[n][kk];
        float[] scores = new float[classes];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < classes; c++) {
                float s = 0;
                for (int j = 0; j < embed; j++) s += imageFeatures[i * embed + j] * weights[c * embed + j];
                scores[c] = s;
            }
            out[i] = Ranking.topK(scores, kk);
        }
        return out;
    }
}
