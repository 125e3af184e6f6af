package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
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
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Sum of x[o..o+n), lane-parallel in float (callers keep n to a row's width). */
    static float sum(float[] x, int o, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int i = 0; i < n; i += L) acc = acc.add(FloatVector.fromArray(S, x, o + i, mask(i, n)));
        return acc.reduceLanes(VectorOperators.ADD);
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
        return acc.reduceLanes(VectorOperators.ADD);
    }
}
