package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.parclip.tensor.Backend.ContrastiveResult;
import org.parclip.tensor.Tensor;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;
import static org.parclip.cpu.VectorMath.L;
import static org.parclip.cpu.VectorMath.S;

/**
 * The embedding-side ops: F.normalize and the two PAR loss terms. Per-row results go to an array and are summed in
 * row order afterwards, so loss values do not depend on the thread count.
 */
final class LossOps {
    /** F.normalize's default eps: rows shorter than this are divided by eps instead of their norm. */
    private static final float NORM_EPS = 1e-12f;

    private final Parallel par;
    private final Sgemm gemm;
    private float[] probs = new float[0];
    private float[] probsT = new float[0];

    LossOps(Parallel par, Sgemm gemm) {
        this.par = par;
        this.gemm = gemm;
    }

    void l2NormalizeForward(Tensor x, Tensor out, Tensor norms) {
        int rows = x.rows(), cols = x.cols();
        ElementwiseOps.requireSameCount(x, out);
        requireRows(norms, rows);
        float[] xd = array(x), od = array(out), nd = array(norms);
        int xo = offset(x), oo = offset(out), no = offset(norms);
        par.forRange(rows, Parallel.grain(3L * cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int xr = xo + r * cols, orow = oo + r * cols;
                float norm = (float) Math.sqrt(VectorMath.dot(xd, xr, xd, xr, cols));
                nd[no + r] = norm;
                System.arraycopy(xd, xr, od, orow, cols);
                VectorMath.scale(od, orow, cols, 1f / Math.max(norm, NORM_EPS));
            }
        });
    }

    void l2NormalizeBackward(Tensor dout, Tensor out, Tensor norms, Tensor dx, boolean accumulateDx) {
        int rows = out.rows(), cols = out.cols();
        ElementwiseOps.requireSameCount(out, dout);
        ElementwiseOps.requireSameCount(out, dx);
        requireRows(norms, rows);
        float[] gd = array(dout), od = array(out), nd = array(norms), dd = array(dx);
        int go = offset(dout), oo = offset(out), no = offset(norms), dxo = offset(dx);
        par.forRange(rows, Parallel.grain(4L * cols), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int gr = go + r * cols, orow = oo + r * cols, dr = dxo + r * cols;
                float norm = nd[no + r];
                // y = x / n: dx = (dout - y (y . dout)) / n; below eps the divisor is the constant eps.
                float yDotG = norm > NORM_EPS ? VectorMath.dot(od, orow, gd, gr, cols) : 0f;
                float inv = 1f / Math.max(norm, NORM_EPS);
                FloatVector vInv = FloatVector.broadcast(S, inv), vProj = FloatVector.broadcast(S, -yDotG * inv);
                for (int i = 0; i < cols; i += L) {
                    VectorMask<Float> m = VectorMath.mask(i, cols);
                    FloatVector v = FloatVector.fromArray(S, gd, gr + i, m).mul(vInv)
                            .add(FloatVector.fromArray(S, od, orow + i, m).mul(vProj));
                    if (accumulateDx) v = v.add(FloatVector.fromArray(S, dd, dr + i, m));
                    v.intoArray(dd, dr + i, m);
                }
            }
        });
    }

    ContrastiveResult contrastiveLoss(Tensor a, Tensor b, float scale, Tensor da, Tensor db, float gradWeight) {
        int n = a.rows(), e = a.cols();
        if (!a.sameShape(b)) throw new IllegalArgumentException(a + " and " + b + " differ in shape");
        if (da != null) ElementwiseOps.requireSameCount(a, da);
        if (db != null) ElementwiseOps.requireSameCount(b, db);
        int nn = Math.multiplyExact(n, n);
        float[] p = probs = ElementwiseOps.grow(probs, nn);
        float[] pt = probsT = ElementwiseOps.grow(probsT, nn);
        float[] ad = array(a), bd = array(b);
        int ao = offset(a), bo = offset(b);
        // Logits land in p, their transpose in pt; each row is then replaced by its softmax, in place.
        gemm.sgemm(false, true, n, n, e, scale, ad, ao, e, bd, bo, e, 0f, p, 0, n);
        par.forRange((n + 31) / 32, Parallel.grain(32L * n), (b0, b1) -> {
            for (int i0 = b0 * 32; i0 < Math.min(n, b1 * 32); i0 += 32)
                VectorMath.transpose(p, i0 * n, n, pt, i0, n, Math.min(32, n - i0), n);
        });
        double[] terms = new double[n]; // row i's and column i's cross-entropy
        boolean[] hit = new boolean[n];
        par.forRange(n, Parallel.grain(16L * n), (r0, r1) -> {
            for (int i = r0; i < r1; i++) {
                int row = i * n;
                float target = p[row + i];
                int best = 0; // first maximum, as torch.argmax
                for (int j = 1; j < n; j++) if (p[row + j] > p[row + best]) best = j;
                hit[i] = best == i;
                terms[i] = ActivationOps.softmax(p, row, p, row, n) - target
                        + ActivationOps.softmax(pt, row, pt, row, n) - target;
            }
        });
        double loss = 0;
        int correct = 0;
        for (int i = 0; i < n; i++) {
            loss += terms[i];
            if (hit[i]) correct++;
        }
        if (da != null || db != null) {
            // dloss/dlogits = (softmax_rows - I + (softmax_cols - I)) / (2n), built in p.
            float half = 1f / (2f * n);
            par.forRange(n, Parallel.grain(2L * n), (r0, r1) -> {
                for (int i = r0; i < r1; i++) {
                    int row = i * n;
                    for (int j = 0; j < n; j++) p[row + j] = (p[row + j] + pt[j * n + i]) * half;
                    p[row + i] -= 2 * half;
                }
            });
            float alpha = gradWeight * scale;
            if (da != null) gemm.sgemm(false, false, n, e, n, alpha, p, 0, n, bd, bo, e, 1f, array(da), offset(da), e);
            if (db != null) gemm.sgemm(true, false, n, e, n, alpha, p, 0, n, ad, ao, e, 1f, array(db), offset(db), e);
        }
        return new ContrastiveResult(loss / (2.0 * n), correct);
    }

    double squaredDistanceMean(Tensor a, Tensor b, Tensor da, float gradWeight) {
        int n = a.rows(), e = a.cols();
        ElementwiseOps.requireSameCount(a, b);
        if (da != null) ElementwiseOps.requireSameCount(a, da);
        float[] ad = array(a), bd = array(b), dd = da == null ? null : array(da);
        int ao = offset(a), bo = offset(b), dao = da == null ? 0 : offset(da);
        float g = 2f * gradWeight / n;
        double[] rowSum = new double[n];
        par.forRange(n, Parallel.grain(4L * e), (r0, r1) -> {
            for (int r = r0; r < r1; r++) {
                int ar = ao + r * e, br = bo + r * e, dr = dao + r * e;
                FloatVector acc = FloatVector.zero(S);
                for (int i = 0; i < e; i += L) {
                    VectorMask<Float> m = VectorMath.mask(i, e);
                    FloatVector diff = FloatVector.fromArray(S, ad, ar + i, m).sub(FloatVector.fromArray(S, bd, br + i, m));
                    acc = diff.fma(diff, acc);
                    if (dd != null) diff.mul(g).add(FloatVector.fromArray(S, dd, dr + i, m)).intoArray(dd, dr + i, m);
                }
                double s = VectorMath.sumLanes(acc);
                rowSum[r] = s;
            }
        });
        double total = 0;
        for (double s : rowSum) total += s;
        return total / n;
    }

    private static void requireRows(Tensor t, int rows) {
        if (t.numel() != rows) throw new IllegalArgumentException(t + " does not hold one value per row (" + rows + ")");
    }
}
