package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD conventions and the few kernels several op families share. Loops step one vector at a time under
 * {@link #mask}, so the last partial vector runs the same lanewise code as the others: an element's result does not
 * depend on where a parallel chunk or a row happens to end, and no op keeps a scalar copy of its formula. Inactive
 * lanes load as 0 and are never stored; reductions must keep them out where 0 is not neutral.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorMath() {
    }

    /**
     * e^x with at most about 1 ulp of error (Cephes' expf: x = n ln2 + r, a degree-6 polynomial for e^r, 2^n put
     * into the exponent bits). VectorOperators.EXP is not used because it is not reproducible: compiled code calls
     * an SVML stub while the interpreter and C1 call Math.exp per lane, so an op could round differently once the
     * JIT warms up. This uses only IEEE-exact operations, identical in every tier. Results below e^-87.34 flush to
     * 0 (no subnormals); above e^88.38 the value saturates at 2.4e38 until e^88.72, then becomes infinity.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-87.33654f).min(88.37626f);
        FloatVector shifted = xc.mul(1.44269504088896341f).add(12582912f); // 1.5 * 2^23: n in the low bits
        FloatVector n = shifted.sub(12582912f);
        FloatVector r = n.fma(FloatVector.broadcast(S, -0.693359375f), xc); // x - n ln2, ln2 in two parts
        r = n.fma(FloatVector.broadcast(S, 2.12194440e-4f), r);
        FloatVector y = FloatVector.broadcast(S, 1.9875691500e-4f);
        y = y.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        y = y.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        y = y.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        y = y.fma(r.mul(r), r).add(1f);
        // Shifting the bits of `shifted` left by 23 leaves exactly n in the exponent field; 0x3F800000 adds the bias.
        FloatVector pow2n = ((IntVector) shifted.reinterpretAsInts()).lanewise(VectorOperators.LSHL, 23)
                .add(0x3F800000).reinterpretAsFloats();
        return y.mul(pow2n)
                .blend(0f, x.compare(VectorOperators.LT, -87.33654f))
                .blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.72283f));
    }

    /**
     * The lanes' sum, added in lane order. reduceLanes(ADD) leaves the order open, and the compiled and interpreted
     * forms do differ, so a row's statistics could change as the JIT warms up.
     */
    static float sumLanes(FloatVector v) {
        float s = 0;
        for (int i = 0; i < L; i++) s += v.lane(i);
        return s;
    }

    /** Lanes [i, n) of the vector starting at i. */
    static VectorMask<Float> mask(int i, int n) {
        return S.indexInRange(i, n);
    }

    /** y[yo..yo+n) += a * x[xo..xo+n). */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(S, a);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = mask(i, n);
            FloatVector.fromArray(S, x, xo + i, m).fma(va, FloatVector.fromArray(S, y, yo + i, m)).intoArray(y, yo + i, m);
        }
    }

    /** x[o..o+n) *= s. */
    static void scale(float[] x, int o, int n, float s) {
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = mask(i, n);
            FloatVector.fromArray(S, x, o + i, m).mul(s).intoArray(x, o + i, m);
        }
    }

    /** Sum of a[ao..ao+n) * b[bo..bo+n), lane-parallel in float (callers keep n to a row's width). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = mask(i, n);
            acc = FloatVector.fromArray(S, a, ao + i, m).fma(FloatVector.fromArray(S, b, bo + i, m), acc);
        }
        return sumLanes(acc);
    }

    /** Sum of x[o..o+n), lane-parallel in float (callers keep n to a row's width). */
    static float sum(float[] x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) acc = acc.add(FloatVector.fromArray(S, x, o + i, mask(i, n)));
        return sumLanes(acc);
    }

    /** Sum of (x - mu)^2 over x[o..o+n), lane-parallel in float. */
    static float centredSquares(float[] x, int o, int n, float mu) {
        FloatVector vmu = FloatVector.broadcast(S, mu);
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) {
            VectorMask<Float> m = mask(i, n);
            FloatVector d = FloatVector.fromArray(S, x, o + i, m).sub(vmu);
            acc = acc.add(d.mul(d), m); // inactive lanes would add mu^2
        }
        return sumLanes(acc);
    }

    /**
     * dst[dOff + j*dStride + i] = src[sOff + i*sStride + j] for i < rows, j < cols. Scalar, in 32x32 tiles so
     * both the rows read and the rows written stay in L1 while a tile is moved.
     */
    static void transpose(float[] src, int sOff, int sStride, float[] dst, int dOff, int dStride, int rows, int cols) {
        final int tile = 32;
        for (int i0 = 0; i0 < rows; i0 += tile) {
            int i1 = Math.min(rows, i0 + tile);
            for (int j0 = 0; j0 < cols; j0 += tile) {
                int j1 = Math.min(cols, j0 + tile);
                for (int i = i0; i < i1; i++)
                    for (int j = j0; j < j1; j++) dst[dOff + j * dStride + i] = src[sOff + i * sStride + j];
            }
        }
    }
}
