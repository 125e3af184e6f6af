package org.parclip.eval;

/** The numbers spec §8 reports: accuracies, attack success rate and retrieval recall, as percentages. */
public final class Metrics {
    private Metrics() {
    }

    /** Share (0-100) of rows whose top-k contains the label. */
    public static double topKAccuracy(int[][] predictions, int[] labels, int k) {
        if (labels.length == 0) return Double.NaN;
        int hits = 0;
        for (int i = 0; i < labels.length; i++)
            for (int j = 0; j < Math.min(k, predictions[i].length); j++)
                if (predictions[i][j] == labels[i]) {
                    hits++;
                    break;
                }
        return 100.0 * hits / labels.length;
    }

    /** Attack success rate result: the share predicted as the target, over the images that count. */
    public record Asr(double percent, int counted, int excluded) {}

    /**
     * ASR (0-100) over triggered images: top-1 == target, counting only images whose true class is not the target
     * (the seed counts all images; {@code excluded} says how many were left out).
     */
    public static Asr attackSuccessRate(int[][] triggeredPredictions, int[] labels, int target) {
        int hits = 0, counted = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == target) continue;
            counted++;
            if (triggeredPredictions[i][0] == target) hits++;
        }
        return new Asr(counted == 0 ? Double.NaN : 100.0 * hits / counted, counted, labels.length - counted);
    }

    /**
     * Recall@k (0-100) both ways for normalised image features [ni, e] and caption features [nc, e], where caption j
     * belongs to image captionImage[j]: image-to-text hits when any of the image's captions is in its top k;
     * text-to-image when the caption's image is in its top k.
     */
    public static double[] recallAtK(float[] images, int ni, float[] captions, int nc, int[] captionImage, int k) {
        int e = images.length / Math.max(1, ni);
        float[] sims = new float[nc];
        int i2t = 0;
        for (int i = 0; i < ni; i++) {
            for (int j = 0; j < nc; j++) sims[j] = dot(images, i, captions, j, e);
            for (int j : Ranking.topK(sims, Math.min(k, nc)))
                if (captionImage[j] == i) {
                    i2t++;
                    break;
                }
        }
        float[] imgSims = new float[ni];
        int t2i = 0;
        for (int j = 0; j < nc; j++) {
            for (int i = 0; i < ni; i++) imgSims[i] = dot(images, i, captions, j, e);
            for (int i : Ranking.topK(imgSims, Math.min(k, ni)))
                if (captionImage[j] == i) {
                    t2i++;
                    break;
                }
        }
        return new double[]{100.0 * i2t / ni, 100.0 * t2i / nc};
    }

    /**
     * Text-ASR (0-100): share of triggered images whose top-5 retrieved captions contain the target word.
     */
    public static double textAsr(float[] triggeredImages, int ni, float[] captions, String[] captionTexts, String target) {
        int nc = captionTexts.length, e = triggeredImages.length / Math.max(1, ni);
        String word = target.toLowerCase(java.util.Locale.ROOT);
        float[] sims = new float[nc];
        int hits = 0;
        for (int i = 0; i < ni; i++) {
            for (int j = 0; j < nc; j++) sims[j] = dot(triggeredImages, i, captions, j, e);
            for (int j : Ranking.topK(sims, Math.min(5, nc)))
                if (captionTexts[j].toLowerCase(java.util.Locale.ROOT).contains(word)) {
                    hits++;
                    break;
                }
        }
        return ni == 0 ? Double.NaN : 100.0 * hits / ni;
    }

    private static float dot(float[] a, int i, float[] b, int j, int e) {
        float s = 0;
        for (int k = 0; k < e; k++) s += a[i * e + k] * b[j * e + k];
        return s;
    }
}
