package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** Pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(.)). */
public final class ResidualAttentionBlock {
    private final Backend be;
    public final LayerNorm ln1;
    public final MultiheadAttention attn;
    public final LayerNorm ln2;
    public final Mlp mlp;
    private Tensor mid;   // x + attn(ln_1(x))
    private Tensor out;
    private Tensor dMid;
    private Tensor dIn;
    private Tensor dNorm;

    public ResidualAttentionBlock(ParameterSet ps, String prefix, int width, int heads, boolean causal) {
        this.be = ps.backend();
        this.ln1 = new LayerNorm(ps, prefix + ".ln_1", width);
        this.attn = new MultiheadAttention(ps, prefix + ".attn", width, heads, causal);
        this.ln2 = new LayerNorm(ps, prefix + ".ln_2", width);
        this.mlp = new Mlp(ps, prefix + ".mlp", width, 4 * width);
    }

    /** x [batch * seq, width]; x must stay unchanged until backward. */
    public Tensor forward(Tensor x, int batch, int seq) {
        mid = be.reuse(mid, x.rows(), x.cols());
        be.copy(x, mid);
        be.axpy(1f, attn.forward(ln1.forward(x), batch, seq), mid);
        out = be.reuse(out, x.rows(), x.cols());
        be.copy(mid, out);
        be.axpy(1f, mlp.forward(ln2.forward(mid)), out);
        return out;
    }

    /** Returns d loss / d x in a buffer owned by this block. */
    public Tensor backward(Tensor dOut) {
        int rows = dOut.rows(), cols = dOut.cols();
        dNorm = be.reuse(dNorm, rows, cols);
        dMid = be.reuse(dMid, rows, cols);
        be.copy(dOut, dMid);
        mlp.backward(dOut, dNorm, false);
        ln2.backward(dNorm, dMid, true);
        dIn = be.reuse(dIn, rows, cols);
        be.copy(dMid, dIn);
        attn.backward(dMid, dNorm, false);
        ln1.backward(dNorm, dIn, true);
        return dIn;
    }
}
