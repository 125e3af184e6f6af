package org.parclip.train;

/**
 * One step's loss and its parts, as the reference logs them. Distances are the batch means of squared distances
 * between normalised student and teacher embeddings (NaN when no teacher is involved).
 */
public record LossParts(double clipLoss, double imageDistance, double textDistance, double totalLoss, int correct,
                        int batch) {
    /** In-batch image-to-text top-1 accuracy. */
    public double accuracy() {
        return batch == 0 ? 0 : (double) correct / batch;
    }
}
