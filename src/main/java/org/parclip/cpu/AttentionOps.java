package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import org.parclip.tensor.Tensor;

import java.util.Arrays;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.VectorMath.L;
import static org.parclip.cpu.VectorMath.S;

/**
 * Multi-head attention on the fused qkv rows, one (batch, head) pair per task. Heads are short (seq 50 to 257,
 * head dim 64), too small for a GEMM call to pay, so every product is written as {@link #weightedRowSum}: a sum of
 * rows scaled by weights, vectorised along the row and accumulated in registers. Keys (forward) and values
 * (backward) are transposed into a scratch padded to a whole number of vectors, so score rows are whole vectors.
 * With the causal mask, keys after the query are never computed; their probabilities are saved as 0.
 */
final class AttentionOps {
    private final Parallel par;

    AttentionOps(Parallel par) {
        this.par = par;
    }

    static int[] savedShape(int batch, int heads, int seq) {
        return new int[]{batch, heads, seq, seq};
    }

    void forward(Tensor qkv, Tensor out, Tensor saved, int batch, int seq, int heads, boolean causal) {
        Geometry g = Geometry.of(qkv, out, saved, batch, seq, heads);
        float[] qd = array(qkv), od = array(out), pd = array(saved);
        int qo = offset(qkv), oo = offset(out), po = offset(saved);
        int d = g.d, w = g.width, r = 3 * w, tp = g.padded;
        float scale = (float) (1.0 / Math.sqrt(d));
        par.forRange(batch * heads, Parallel.grain(4L * seq * seq * d), (t0, t1) -> {
            float[] keysT = new float[d * tp];
            float[] scores = new float[tp];
            for (int task = t0; task < t1; task++) {
                int b = task / heads, h = task % heads;
                int row0 = qo + b * seq * r;            // first qkv row of this sequence
                int q = row0 + h * d, k = q + w, v = q + 2 * w;
                VectorMath.transpose(qd, k, r, keysT, 0, tp, seq, d);
                for (int i = 0; i < seq; i++) {
                    int n = causal ? i + 1 : seq;
                    int p = po + (task * seq + i) * seq;
                    weightedRowSum(scale, qd, q + i * r, 1, 0, d, keysT, 0, tp, scores, 0, roundUp(n));
                    ActivationOps.softmax(scores, 0, pd, p, n);
                    Arrays.fill(pd, p + n, p + seq, 0f);
                    weightedRowSum(1f, pd, p, 1, 0, n, qd, v, r, od, oo + (b * seq + i) * w + h * d, d);
                }
            }
        });
    }

    void backward(Tensor qkv, Tensor dout, Tensor saved, Tensor dqkv, int batch, int seq, int heads, boolean causal) {
        Geometry g = Geometry.of(qkv, dout, saved, batch, seq, heads);
        ElementwiseOps.requireSameCount(qkv, dqkv);
        float[] qd = array(qkv), gd = array(dout), pd = array(saved), dd = array(dqkv);
        int qo = offset(qkv), go = offset(dout), po = offset(saved), dqo = offset(dqkv);
        int d = g.d, w = g.width, r = 3 * w, tp = g.padded;
        float scale = (float) (1.0 / Math.sqrt(d));
        par.forRange(batch * heads, Parallel.grain(8L * seq * seq * d), (t0, t1) -> {
            float[] valuesT = new float[d * tp];
            float[] dscores = new float[seq * tp]; // dL/d(q.k * scale) before the scale, one padded row per query
            for (int task = t0; task < t1; task++) {
                int b = task / heads, h = task % heads;
                int row0 = qo + b * seq * r;
                int q = row0 + h * d, k = q + w, v = q + 2 * w;
                int dq = dqo + b * seq * r + h * d, dk = dq + w, dv = dq + 2 * w;
                int gRow0 = go + b * seq * w + h * d;
                int p0 = po + task * seq * seq;
                VectorMath.transpose(qd, v, r, valuesT, 0, tp, seq, d);
                for (int i = 0; i < seq; i++) {
                    int n = causal ? i + 1 : seq;
                    int p = p0 + i * seq, s = i * tp;
                    // dP_ij = dout_i . v_j, then the softmax backward dS_ij = P_ij (dP_ij - sum_j P_ij dP_ij).
                    weightedRowSum(1f, gd, gRow0 + i * w, 1, 0, d, valuesT, 0, tp, dscores, s, roundUp(n));
                    float rowDot = VectorMath.dot(pd, p, dscores, s, n);
                    for (int j = 0; j < n; j++) dscores[s + j] = pd[p + j] * (dscores[s + j] - rowDot);
                    weightedRowSum(scale, dscores, s, 1, 0, n, qd, k, r, dd, dq + i * r, d);
                }
                for (int j = 0; j < seq; j++) {
                    int first = causal ? j : 0; // queries that see key j
                    weightedRowSum(scale, dscores, j, tp, first, seq, qd, q, r, dd, dk + j * r, d);
                    weightedRowSum(1f, pd, p0 + j, seq, first, seq, gd, gRow0, w, dd, dv + j * r, d);
                }
            }
        });
    }

    /**
     * out[oo + c] = alpha * sum_{t in [t0, t1)} wt[wo + t*ws] * rows[ro + t*rs + c] for c < len: a vector-matrix
     * product with strided weights. Four vector accumulators at a time so one weight broadcast feeds four FMAs.
     */
    static void weightedRowSum(float alpha, float[] wt, int wo, int ws, int t0, int t1,
                               float[] rows, int ro, int rs, float[] out, int oo, int len) {
        int c = 0;
        for (; c + 4 * L <= len; c += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int t = t0; t < t1; t++) {
                FloatVector x = FloatVector.broadcast(S, wt[wo + t * ws]);
                int base = ro + t * rs + c;
                a0 = FloatVector.fromArray(S, rows, base).fma(x, a0);
                a1 = FloatVector.fromArray(S, rows, base + L).fma(x, a1);
                a2 = FloatVector.fromArray(S, rows, base + 2 * L).fma(x, a2);
                a3 = FloatVector.fromArray(S, rows, base + 3 * L).fma(x, a3);
            }
            a0.mul(alpha).intoArray(out, oo + c);
            a1.mul(alpha).intoArray(out, oo + c + L);
            a2.mul(alpha).intoArray(out, oo + c + 2 * L);
            a3.mul(alpha).intoArray(out, oo + c + 3 * L);
        }
        for (; c < len; c += L) {
            VectorMask<Float> m = VectorMath.mask(c, len);
            FloatVector a = FloatVector.zero(S);
            for (int t = t0; t < t1; t++)
                a = FloatVector.fromArray(S, rows, ro + t * rs + c, m).fma(FloatVector.broadcast(S, wt[wo + t * ws]), a);
            a.mul(alpha).intoArray(out, oo + c, m);
        }
    }

    private static int roundUp(int n) {
        return (n + L - 1) / L * L;
    }

    /** Head dimension, model width and the padded key count, after checking every shape once. */
    private record Geometry(int d, int width, int padded) {
        static Geometry of(Tensor qkv, Tensor out, Tensor saved, int batch, int seq, int heads) {
            int w3 = qkv.cols();
            if (w3 % 3 != 0 || (w3 / 3) % heads != 0 || (long) qkv.rows() != (long) batch * seq)
                throw new IllegalArgumentException("qkv " + qkv + " is not [batch*seq, 3*width] for batch " + batch
                        + ", seq " + seq + ", heads " + heads);
            int width = w3 / 3;
            if (out.numel() != (long) batch * seq * width)
                throw new IllegalArgumentException("out/dout " + out + " is not [batch*seq, " + width + "]");
            if (saved.numel() != (long) batch * heads * seq * seq)
                throw new IllegalArgumentException("saved " + saved + " is not [batch, heads, seq, seq]");
            return new Geometry(width / heads, width, roundUp(seq));
        }
    }
}
