package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * nn.MultiheadAttention as CLIP uses it (self-attention, batch of sequences): one fused in_proj [3w, w] producing
 * q | k | v, scaled dot-product attention per head, out_proj. Parameter names follow PyTorch's module:
 * {@code attn.in_proj_weight}, {@code attn.in_proj_bias}, {@code attn.out_proj.weight}, {@code attn.out_proj.bias}.
 */
public final class MultiheadAttention {
    private final Backend be;
    private final int heads;
    private final boolean causal;
    public final Linear inProj;
    public final Linear outProj;
    private Tensor context;
    private Tensor saved;
    private Tensor dContext;
    private Tensor dQkv;
    private int batch;
    private int seq;

    public MultiheadAttention(ParameterSet ps, String prefix, int width, int heads, boolean causal) {
        if (width % heads != 0) throw new IllegalArgumentException("width " + width + " not divisible by " + heads + " heads");
        this.be = ps.backend();
        this.heads = heads;
        this.causal = causal;
        this.inProj = new Linear(ps, prefix + ".in_proj_weight", prefix + ".in_proj_bias", width, 3 * width);
        this.outProj = Linear.named(ps, prefix + ".out_proj", width, width);
    }

    /** x [batch * seq, width] -> [batch * seq, width]. */
    public Tensor forward(Tensor x, int batch, int seq) {
        this.batch = batch;
        this.seq = seq;
        Tensor qkv = inProj.forward(x);
        context = be.reuse(context, x.rows(), x.cols());
        saved = be.reuse(saved, be.attentionSavedShape(batch, heads, seq));
        be.attentionForward(qkv, context, saved, batch, seq, heads, causal);
        return outProj.forward(context);
    }

    /** Accumulates parameter gradients and writes (or adds) dx. */
    public void backward(Tensor dy, Tensor dx, boolean accumulate) {
        dContext = be.reuse(dContext, dy.rows(), dy.cols());
        outProj.backward(dy, dContext, false);
        Tensor qkv = inProj.lastOutput();
        dQkv = be.reuse(dQkv, qkv.rows(), qkv.cols());
        be.attentionBackward(qkv, context, dContext, saved, dQkv, batch, seq, heads, causal);
        inProj.backward(dQkv, dx, accumulate);
    }

}
