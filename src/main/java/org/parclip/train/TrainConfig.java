package org.parclip.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that determines a training run. It is stored in every checkpoint; resuming with a different
 * configuration is refused, since the result would match neither run.
 */
public record TrainConfig(LossKind loss, double tau, double lr, double lrStart, double lrEnd, double epochs,
                          double warmupEpochs, int batchSize, double weightDecay, double beta1, double beta2,
                          double eps, int updateFreq, long seed, double clipGradNorm, int logEvery,
                          int checkpointEvery, int evalEvery) {

    public TrainConfig {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1");
        if (updateFreq < 1) throw new IllegalArgumentException("update frequency must be at least 1");
        if (!(epochs > 0)) throw new IllegalArgumentException("epochs must be positive");
        if (warmupEpochs < 0 || warmupEpochs > epochs) throw new IllegalArgumentException("warm-up epochs outside [0, epochs]");
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss", loss.name().toLowerCase(java.util.Locale.ROOT));
        m.put("tau", tau);
        m.put("lr", lr);
        m.put("lr_start", lrStart);
        m.put("lr_end", lrEnd);
        m.put("epochs", epochs);
        m.put("warmup_epochs", warmupEpochs);
        m.put("batch_size", batchSize);
        m.put("wd", weightDecay);
        m.put("beta1", beta1);
        m.put("beta2", beta2);
        m.put("eps", eps);
        m.put("update_freq", updateFreq);
        m.put("seed", seed);
        m.put("clip_grad_norm", clipGradNorm);
        return m;
    }
}
