package org.parclip.cpu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.parclip.tensor.Tensor;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.parclip.cpu.CpuTestSupport.*;

/** Convolution, patchify, average pooling and transpose12 against direct float64 loops. */
class CpuBackendConvTest {

    /** Direct convolution, NCHW, square kernel, zero padding, no bias. */
    private static double[] conv(double[] x, double[] w, int n, int cin, int h, int cout, int k, int stride, int pad) {
        int ho = (h + 2 * pad - k) / stride + 1;
        double[] out = new double[n * cout * ho * ho];
        for (int ni = 0; ni < n; ni++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < ho; oy++)
                    for (int ox = 0; ox < ho; ox++) {
                        double s = 0;
                        for (int ci = 0; ci < cin; ci++)
                            for (int ky = 0; ky < k; ky++)
                                for (int kx = 0; kx < k; kx++) {
                                    int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= h) continue;
                                    s += x[((ni * cin + ci) * h + iy) * h + ix] * w[((co * cin + ci) * k + ky) * k + kx];
                                }
                        out[((ni * cout + co) * ho + oy) * ho + ox] = s;
                    }
        return out;
    }

    // Cases cover: several images sharing one GEMM (small maps), one image per GEMM written in place (24x24 and
    // larger), a batch split into uneven groups (16x16, 3 images), 1x1 convolutions both with the input as its own
    // column matrix and grouped, strides 1 and 2, padding 0 and 1, even kernels.
    @ParameterizedTest(name = "n {0}, cin {1}, {2}x{2}, cout {3}, k {4}, stride {5}, pad {6}")
    @CsvSource({"2, 3, 7, 4, 3, 1, 1", "2, 3, 7, 4, 3, 2, 0", "2, 3, 8, 4, 3, 2, 1", "2, 2, 24, 3, 3, 1, 1",
            "3, 2, 16, 3, 3, 1, 1", "2, 5, 24, 3, 1, 1, 0", "3, 5, 6, 4, 1, 1, 0", "2, 3, 9, 2, 2, 2, 0"})
    void conv2dMatchesFloat64(int n, int cin, int h, int cout, int k, int stride, int pad) {
        Random rng = new Random(h * 100L + k * 10 + stride + pad);
        int ho = (h + 2 * pad - k) / stride + 1;
        double[] x = randnF(rng, n * cin * h * h), w = randnF(rng, cout * cin * k * k);
        double[] dout = randnF(rng, n * cout * ho * ho), dw0 = randnF(rng, w.length);
        try (CpuBackend be = backend()) {
            Tensor tx = tensor(be, x, n, cin, h, h), tw = tensor(be, w, cout, cin, k, k);
            Tensor out = be.allocate(n, cout, ho, ho);
            be.fill(out, Float.NaN);
            be.conv2dForward(tx, tw, stride, pad, out);
            assertClose(conv(x, w, n, cin, h, cout, k, stride, pad), be.toHost(out), 1e-5, "out");

            Tensor dx = be.allocate(n, cin, h, h), dw = tensor(be, dw0, cout, cin, k, k);
            be.fill(dx, Float.NaN); // overwritten
            be.conv2dBackward(tx, tw, stride, pad, tensor(be, dout, n, cout, ho, ho), dx, dw);
            assertClose(numericGradient(v -> conv(v, w, n, cin, h, cout, k, stride, pad), x, dout), be.toHost(dx),
                    1e-4, "dx");
            assertClose(plus(dw0, numericGradient(v -> conv(x, v, n, cin, h, cout, k, stride, pad), w, dout)),
                    be.toHost(dw), 1e-4, "dweight accumulated");
        }
    }

    @Test
    void conv2dBackwardWithoutInputGradientStillAccumulatesWeights() {
        int n = 2, cin = 3, h = 6, cout = 2, k = 3;
        Random rng = new Random(3);
        double[] x = randnF(rng, n * cin * h * h), w = randnF(rng, cout * cin * k * k), dout = randnF(rng, n * cout * 36);
        try (CpuBackend be = backend()) {
            Tensor dw = be.allocate(cout, cin, k, k);
            be.conv2dBackward(tensor(be, x, n, cin, h, h), tensor(be, w, cout, cin, k, k), 1, 1,
                    tensor(be, dout, n, cout, h, h), null, dw);
            assertClose(numericGradient(v -> conv(x, v, n, cin, h, cout, k, 1, 1), w, dout), be.toHost(dw), 1e-4, "dweight");
        }
    }

    @Test
    void patchifyLaysOutPatchesInChannelRowColumnOrder() {
        int n = 2, c = 3, h = 8, w = 12, p = 4, gh = h / p, gw = w / p;
        Random rng = new Random(4);
        double[] x = randnF(rng, n * c * h * w);
        double[] expected = new double[x.length];
        for (int ni = 0; ni < n; ni++)
            for (int py = 0; py < gh; py++)
                for (int px = 0; px < gw; px++)
                    for (int ci = 0; ci < c; ci++)
                        for (int ky = 0; ky < p; ky++)
                            for (int kx = 0; kx < p; kx++)
                                expected[((ni * gh + py) * gw + px) * c * p * p + (ci * p + ky) * p + kx] =
                                        x[((ni * c + ci) * h + py * p + ky) * w + px * p + kx];
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(n * gh * gw, c * p * p);
            be.patchify(tensor(be, x, n, c, h, w), p, out);
            assertClose(expected, be.toHost(out), 0, "patches");
        }
    }

    @Test
    void patchifyThenMatmulIsThePatchConvolution() {
        int n = 2, c = 3, h = 8, p = 4, cout = 5, g = h / p;
        Random rng = new Random(6);
        double[] x = randnF(rng, n * c * h * h), w = randnF(rng, cout * c * p * p);
        double[] ref = conv(x, w, n, c, h, cout, p, p, 0); // [n, cout, g, g]
        try (CpuBackend be = backend()) {
            Tensor patches = be.allocate(n * g * g, c * p * p), tokens = be.allocate(n * g * g, cout);
            be.patchify(tensor(be, x, n, c, h, h), p, patches);
            be.matmul(patches, false, tensor(be, w, cout, c * p * p), true, tokens, 1, 0);
            Tensor nchw = be.allocate(n, cout, g * g);
            be.transpose12(tokens.view(n, g * g, cout), nchw);
            assertClose(ref, be.toHost(nchw), 1e-5, "patch conv");
        }
    }

    /** nn.AvgPool2d(k) on square-or-not NCHW planes (floor mode: trailing rows and columns are dropped). */
    private static double[] avgPool(double[] x, int planes, int h, int w, int k) {
        int ho = h / k, wo = w / k;
        double[] out = new double[planes * ho * wo];
        for (int pl = 0; pl < planes; pl++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++) {
                    double s = 0;
                    for (int ky = 0; ky < k; ky++)
                        for (int kx = 0; kx < k; kx++) s += x[(pl * h + oy * k + ky) * w + ox * k + kx];
                    out[(pl * ho + oy) * wo + ox] = s / (k * k);
                }
        return out;
    }

    @ParameterizedTest(name = "{0}x{1}, k {2}")
    @CsvSource({"8, 8, 2", "7, 9, 2", "9, 9, 3"})
    void avgPoolMatchesFloat64(int h, int w, int k) {
        int n = 2, c = 3;
        Random rng = new Random(h * w + k);
        double[] x = randnF(rng, n * c * h * w), dout = randnF(rng, n * c * (h / k) * (w / k));
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(n, c, h / k, w / k);
            be.avgPoolForward(tensor(be, x, n, c, h, w), k, out);
            assertClose(avgPool(x, n * c, h, w, k), be.toHost(out), 1e-6, "out");
            Tensor dx = be.allocate(n, c, h, w);
            be.fill(dx, Float.NaN); // overwritten, including cells no window covers
            be.avgPoolBackward(tensor(be, dout, n, c, h / k, w / k), k, dx);
            assertClose(numericGradient(v -> avgPool(v, n * c, h, w, k), x, dout), be.toHost(dx), 1e-6, "dx");
        }
    }

    @Test
    void transpose12SwapsTheInnerDimensions() {
        int n = 3, a = 37, b = 70; // not multiples of the tile
        float[] x = new float[n * a * b];
        for (int i = 0; i < x.length; i++) x[i] = i;
        float[] expected = new float[x.length];
        for (int ni = 0; ni < n; ni++)
            for (int i = 0; i < a; i++)
                for (int j = 0; j < b; j++) expected[(ni * b + j) * a + i] = x[(ni * a + i) * b + j];
        try (CpuBackend be = backend()) {
            Tensor out = be.allocate(n, b, a);
            be.transpose12(be.fromHost(x, n, a, b), out);
            assertArrayEquals(expected, be.toHost(out));
        }
    }
}
