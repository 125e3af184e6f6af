package org.parclip.train;

/**
 * The reference's schedule (spec §2): linear from lrStart to lr over the warm-up steps (lrStart may be larger than
 * lr: the reference's warm-up goes down), then a cosine from lr to lrEnd over the remaining steps.
 */
public record LrSchedule(double lrStart, double lr, double lrEnd, long warmupSteps, long totalSteps) {
    public LrSchedule {
        if (totalSteps < 1) throw new IllegalArgumentException("total steps must be positive");
        if (warmupSteps < 0 || warmupSteps > totalSteps) throw new IllegalArgumentException("warm-up outside [0, total]");
    }

    /** Learning rate for optimiser step {@code step}, counted from 0. */
    public double at(long step) {
        if (step < warmupSteps) return lrStart + (lr - lrStart) * step / (double) warmupSteps;
        long span = totalSteps - warmupSteps;
        double progress = span == 0 ? 1 : Math.min(1.0, (step - warmupSteps) / (double) span);
        return lrEnd + 0.5 * (1 + Math.cos(Math.PI * progress)) * (lr - lrEnd);
    }
}
