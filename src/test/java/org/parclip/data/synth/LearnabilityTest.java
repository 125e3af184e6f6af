package org.parclip.data.synth;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cheap proof that the classes are visually separable: nearest-class-mean classifiers on downsampled pixels,
 * trained on 2,400 training samples and scored on 800 evaluation samples (chance = 1/8 = 12.5%).
 *
 * <p>Raw pixels carry colour and position, which are independent of the class, so the raw-pixel classifier is weak
 * (it only sees each class's average footprint). The colour-invariant one first turns the image into a foreground
 * map (distance from the border colour), centres it on its centroid and scales it by its spread, which removes
 * exactly the nuisance factors a CLIP model must learn to ignore; what remains is the silhouette.
 */
class LearnabilityTest {
    private static final int GRID = 12;

    @Test
    void nearestClassMeanOnSilhouettesBeatsChanceByAWideMargin() {
        ShapeWorld world = new ShapeWorld(7);
        int k = ShapeWorld.classNames().size();
        double silhouettes = accuracy(world, k, true), raw = accuracy(world, k, false), nn = nearestNeighbour(world);
        System.out.printf("LearnabilityTest: 1-nearest-neighbour on silhouettes %.1f%%%n", 100 * nn);
        System.out.printf("LearnabilityTest: nearest class mean accuracy, %d classes (chance %.1f%%): "
                + "silhouette features %.1f%%, raw 8x8 pixels %.1f%%%n", k, 100.0 / k, 100 * silhouettes, 100 * raw);
        assertTrue(silhouettes > 2.4 / k, "silhouette NCM accuracy " + silhouettes);
        assertTrue(raw > 1.0 / k, "raw-pixel NCM accuracy " + raw);
    }

    private static double accuracy(ShapeWorld world, int k, boolean silhouette) {
        int train = 2400, test = 800;
        int dim = silhouette ? GRID * GRID : 3 * 8 * 8;
        double[][] means = new double[k][dim];
        int[] counts = new int[k];
        for (long i = 0; i < train; i++) {
            Sample s = world.sample(i);
            double[] f = silhouette ? silhouette(s) : raw(s);
            for (int d = 0; d < dim; d++) means[s.classIndex()][d] += f[d];
            counts[s.classIndex()]++;
        }
        for (int c = 0; c < k; c++) for (int d = 0; d < dim; d++) means[c][d] /= counts[c];
        int correct = 0;
        for (long j = 0; j < test; j++) {
            Sample s = world.sample(ShapeWorld.EVAL_OFFSET + j);
            double[] f = silhouette ? silhouette(s) : raw(s);
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int c = 0; c < k; c++) {
                double dist = 0;
                for (int d = 0; d < dim; d++) dist += (f[d] - means[c][d]) * (f[d] - means[c][d]);
                if (dist < bestD) {
                    bestD = dist;
                    best = c;
                }
            }
            if (best == s.classIndex()) correct++;
        }
        return (double) correct / test;
    }

    private static double nearestNeighbour(ShapeWorld world) {
        int train = 2400, test = 800;
        double[][] f = new double[train][];
        int[] y = new int[train];
        for (int i = 0; i < train; i++) {
            Sample s = world.sample(i);
            f[i] = silhouette(s);
            y[i] = s.classIndex();
        }
        int correct = 0;
        for (long j = 0; j < test; j++) {
            Sample s = world.sample(ShapeWorld.EVAL_OFFSET + j);
            double[] q = silhouette(s);
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (int i = 0; i < train; i++) {
                double dist = 0;
                for (int d = 0; d < q.length; d++) dist += (q[d] - f[i][d]) * (q[d] - f[i][d]);
                if (dist < bestD) {
                    bestD = dist;
                    best = y[i];
                }
            }
            if (best == s.classIndex()) correct++;
        }
        return (double) correct / test;
    }

    /** 4x4 average pooling of the RGB image. */
    private static double[] raw(Sample s) {
        int n = s.size(), cell = n / 8;
        double[] f = new double[3 * 64];
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    f[c * 64 + (y / cell) * 8 + x / cell] += s.rgb01()[c * n * n + y * n + x] / (cell * cell);
        return f;
    }

    /** Foreground map, centred on its centroid and scaled by its spread, sampled on a GRID x GRID lattice. */
    private static double[] silhouette(Sample s) {
        int n = s.size(), plane = n * n;
        float[] px = s.rgb01();
        double[] bg = new double[3];
        int border = 0;
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++)
                if (x == 0 || y == 0 || x == n - 1 || y == n - 1) {
                    for (int c = 0; c < 3; c++) bg[c] += px[c * plane + y * n + x];
                    border++;
                }
        for (int c = 0; c < 3; c++) bg[c] /= border;
        double[] fg = new double[plane];
        double mass = 0, mx = 0, my = 0;
        for (int p = 0; p < plane; p++) {
            double d = 0;
            for (int c = 0; c < 3; c++) d += (px[c * plane + p] - bg[c]) * (px[c * plane + p] - bg[c]);
            fg[p] = Math.min(1, Math.sqrt(d) / 0.25);  // soft mask: ~1 on the object, ~0 on the background
            mass += fg[p];
            mx += fg[p] * (p % n);
            my += fg[p] * (p / n);
        }
        mx /= mass;
        my /= mass;
        double spread = 0;
        for (int p = 0; p < plane; p++) spread += fg[p] * (Math.pow(p % n - mx, 2) + Math.pow(p / n - my, 2));
        spread = Math.sqrt(spread / mass);
        double[] f = new double[GRID * GRID];
        for (int gy = 0; gy < GRID; gy++)
            for (int gx = 0; gx < GRID; gx++) {
                double x = mx + 2.2 * spread * ((gx + 0.5) / GRID * 2 - 1);
                double y = my + 2.2 * spread * ((gy + 0.5) / GRID * 2 - 1);
                f[gy * GRID + gx] = bilinear(fg, n, x, y);
            }
        return f;
    }

    private static double bilinear(double[] img, int n, double x, double y) {
        if (x < 0 || y < 0 || x > n - 1 || y > n - 1) return 0;
        int x0 = Math.min((int) x, n - 2), y0 = Math.min((int) y, n - 2);
        double wx = x - x0, wy = y - y0;
        return (1 - wy) * ((1 - wx) * img[y0 * n + x0] + wx * img[y0 * n + x0 + 1])
                + wy * ((1 - wx) * img[(y0 + 1) * n + x0] + wx * img[(y0 + 1) * n + x0 + 1]);
    }
}
