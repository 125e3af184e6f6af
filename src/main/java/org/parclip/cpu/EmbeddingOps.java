package org.parclip.cpu;

import org.parclip.tensor.Tensor;

import static org.parclip.cpu.CpuStorage.array;
import static org.parclip.cpu.CpuStorage.offset;

/**
 * Row gathers and their adjoint scatter-adds: embedding lookups and class/end-of-text token pooling are the same
 * operation on different tensors.
 */
final class EmbeddingOps {
    private final Parallel par;

    EmbeddingOps(Parallel par) {
        this.par = par;
    }

    /** out[i, :] = x[rows[i], :]. */
    void gather(Tensor x, int[] rows, Tensor out) {
        int cols = x.cols();
        check(x, rows, out);
        float[] xd = array(x), od = array(out);
        int xo = offset(x), oo = offset(out);
        par.forRange(rows.length, Parallel.grain(cols), (s, e) -> {
            for (int i = s; i < e; i++) System.arraycopy(xd, xo + rows[i] * cols, od, oo + i * cols, cols);
        });
    }

    /**
     * dx[rows[i], :] += dout[i, :]. Repeated rows make the rows race, so the split is over columns instead: each
     * column range adds every i in order, which also fixes the summation order.
     */
    void scatterAdd(Tensor dout, int[] rows, Tensor dx) {
        int cols = dx.cols();
        check(dx, rows, dout);
        float[] gd = array(dout), dd = array(dx);
        int go = offset(dout), dxo = offset(dx);
        par.forRange(cols, Parallel.grain(rows.length), (c0, c1) -> {
            for (int i = 0; i < rows.length; i++)
                VectorMath.axpy(1f, gd, go + i * cols + c0, dd, dxo + rows[i] * cols + c0, c1 - c0);
        });
    }

    /** Every index in range of the table x, and the gathered side holding rows.length rows of x's width. */
    private static void check(Tensor x, int[] rows, Tensor gathered) {
        int n = x.rows();
        for (int i = 0; i < rows.length; i++)
            if (rows[i] < 0 || rows[i] >= n)
                throw new IndexOutOfBoundsException("index " + rows[i] + " at position " + i + " outside [0, " + n + ")");
        if (gathered.numel() != (long) rows.length * x.cols())
            throw new IllegalArgumentException(gathered + " does not hold " + rows.length + " rows of " + x.cols());
    }
}
