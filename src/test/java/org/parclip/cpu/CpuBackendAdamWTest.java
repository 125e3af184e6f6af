package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.parclip.cpu.CpuTestSupport.*;

/** Several AdamW steps against torch.optim.AdamW's formula (single tensor, non-amsgrad) in float64. */
class CpuBackendAdamWTest {

    @Test
    void fiveStepsWithWeightDecayAndGradScaleMatchTorchFormula() {
        int n = 50_001; // parallel chunks with vector tails
        float lr = 1e-3f, b1 = 0.9f, b2 = 0.98f, eps = 1e-8f, wd = 0.1f, gradScale = 0.5f;
        Random rng = new Random(1);
        double[] p = randnF(rng, n), m = new double[n], v = new double[n];
        double[] p0 = p.clone();
        try (CpuBackend be = backend()) {
            Tensor tp = tensor(be, p, n), tm = be.allocate(n), tv = be.allocate(n);
            for (int step = 1; step <= 5; step++) {
                double[] grad = randnF(rng, n);
                be.adamw(tp, tensor(be, grad, n), tm, tv, lr, b1, b2, eps, wd, gradScale, step);
                double bc1 = 1 - Math.pow(b1, step), bc2 = 1 - Math.pow(b2, step);
                for (int i = 0; i < n; i++) {
                    double g = gradScale * grad[i];
                    p[i] *= 1 - (double) lr * wd;
                    m[i] = b1 * m[i] + (1 - (double) b1) * g;
                    v[i] = b2 * v[i] + (1 - (double) b2) * g * g;
                    p[i] -= lr / bc1 * m[i] / (Math.sqrt(v[i]) / Math.sqrt(bc2) + eps);
                }
            }
            assertClose(m, be.toHost(tm), 1e-5, "exp_avg");
            assertClose(v, be.toHost(tv), 1e-5, "exp_avg_sq");
            // The update is ~1e-3 of the parameter: compare it on its own scale, not hidden inside p.
            double[] delta = new double[n];
            double[] gotDelta = new double[n];
            float[] got = be.toHost(tp);
            for (int i = 0; i < n; i++) {
                delta[i] = p[i] - p0[i];
                gotDelta[i] = got[i] - p0[i];
            }
            assertClose(delta, gotDelta, 2e-4, "parameter update");
            assertClose(p, got, 1e-6, "parameter");
        }
    }

    @Test
    void stepCountsFromOne() {
        try (CpuBackend be = backend()) {
            Tensor t = be.allocate(4);
            assertThrows(IllegalArgumentException.class,
                    () -> be.adamw(t, t, be.allocate(4), be.allocate(4), 1e-3f, 0.9f, 0.98f, 1e-8f, 0, 1, 0));
        }
    }
}
