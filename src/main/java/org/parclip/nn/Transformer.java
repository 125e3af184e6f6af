package org.parclip.nn;

import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A stack of residual attention blocks named {@code prefix.resblocks.N}. */
public final class Transformer {
    private final List<ResidualAttentionBlock> blocks = new ArrayList<>();

    public Transformer(ParameterSet ps, String prefix, int width, int layers, int heads, boolean causal) {
        for (int i = 0; i < layers; i++)
            blocks.add(new ResidualAttentionBlock(ps, prefix + ".resblocks." + i, width, heads, causal));
    }

    public List<ResidualAttentionBlock> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    public Tensor forward(Tensor x, int batch, int seq) {
        for (ResidualAttentionBlock b : blocks) x = b.forward(x, batch, seq);
        return x;
    }

    public Tensor backward(Tensor dOut) {
        for (int i = blocks.size() - 1; i >= 0; i--) dOut = blocks.get(i).backward(dOut);
        return dOut;
    }
}
