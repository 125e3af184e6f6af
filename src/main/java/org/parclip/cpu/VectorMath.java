package org.parclip.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The few SIMD kernels several op families share. Loops run the vector body over the largest multiple of the lane
 * count and finish in scalar code; the lane order of the reductions is fixed, so results are reproducible.
 */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private VectorMath() {
    }

    /** y[yo..yo+n) += a * x[xo..xo+n). */
    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        FloatVector va = FloatVector.broadcast(S, a);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).fma(va, FloatVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    /** x[o..o+n) *= s. */
    static void scale(float[] x, int o, int n, float s) {
        int i = 0;
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, o + i).mul(s).intoArray(x, o + i);
        }
        for (; i < n; i++) x[o + i] *= s;
    }

    /** Sum of a[ao..ao+n) * b[bo..bo+n), lane-parallel in float (callers keep n to a row's width). */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** Sum of x[o..o+n), lane-parallel in float (callers keep n to a row's width). */
    static float sum(float[] x, int o, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) acc = acc.add(FloatVector.fromArray(S, x, o + i));
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += x[o + i];
        return s;
    }
}
