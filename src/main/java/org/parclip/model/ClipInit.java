package org.parclip.model;

import org.parclip.nn.Linear;
import org.parclip.nn.Mlp;
import org.parclip.nn.MultiheadAttention;
import org.parclip.nn.Parameter;
import org.parclip.nn.ResidualAttentionBlock;
import org.parclip.nn.Transformer;
import org.parclip.tensor.Backend;

import java.util.SplittableRandom;

/**
 * open_clip's initialisation for training from scratch: the text tower as CLIP.init_parameters sets it (normal
 * distributions scaled by width and depth), the ViT's embeddings scaled by width^-0.5, the ResNet as
 * ModifiedResNet.init_parameters sets it (attention-pool projections normal with std width^-0.5, each Bottleneck's
 * last BatchNorm scale zero so blocks start as identities), and PyTorch's module defaults everywhere else
 * (xavier-uniform in_proj, kaiming-uniform linears and convolutions, zero attention biases, unit LayerNorms and
 * BatchNorms, whose defaults their constructors set).
 */
final class ClipInit {
    private final Backend be;
    private final SplittableRandom rng;

    private ClipInit(Backend be, long seed) {
        this.be = be;
        this.rng = new SplittableRandom(seed);
    }

    static void apply(ClipModel m, long seed) {
        ClipInit init = new ClipInit(m.backend(), seed);
        switch (m.visual()) {
            case VisionTransformer v -> init.vision(v);
            case ModifiedResNet r -> init.resnet(r);
            default -> throw new IllegalStateException("no initialisation for " + m.visual().getClass());
        }
        init.text(m.text());
        init.be.fill(m.logitScaleParameter().value(), (float) Math.log(1 / 0.07));
    }

    private void vision(VisionTransformer v) {
        int width = v.classEmbedding.value().dim(0);
        double scale = Math.pow(width, -0.5);
        uniform(v.conv1, 1 / Math.sqrt(v.conv1.value().numel() / width));
        normal(v.classEmbedding, scale);
        normal(v.positionalEmbedding, scale);
        normal(v.head.proj, scale);
        for (ResidualAttentionBlock b : v.transformer.blocks()) {
            MultiheadAttention a = b.attn;
            uniform(a.inProj.weight, Math.sqrt(6.0 / (width + 3 * width)));
            uniform(a.outProj.weight, 1 / Math.sqrt(width));
            defaultLinear(b.mlp);
        }
    }

    private void resnet(ModifiedResNet r) {
        for (ConvBn u : new ConvBn[]{r.stem1, r.stem2, r.stem3}) defaultConv(u);
        for (Bottleneck b : r.blocks()) {
            for (ConvBn u : new ConvBn[]{b.unit1, b.unit2, b.unit3, b.downsample}) if (u != null) defaultConv(u);
            be.fill(b.unit3.bn.weight.value(), 0f);
        }
        AttentionPool2d a = r.attnpool;
        int width = a.positionalEmbedding.value().dim(1);
        double std = Math.pow(width, -0.5);
        normal(a.positionalEmbedding, std);
        for (Linear l : new Linear[]{a.qProj, a.kProj, a.vProj, a.cProj}) {
            normal(l.weight, std);
            uniform(l.bias, 1 / Math.sqrt(width));
        }
    }

    /** nn.Conv2d's reset_parameters: kaiming-uniform with a = sqrt(5), i.e. uniform in +-1/sqrt(fan_in). */
    private void defaultConv(ConvBn u) {
        Parameter w = u.conv.weight;
        uniform(w, 1 / Math.sqrt(w.value().numel() / w.value().dim(0)));
    }

    private void text(TextTransformer t) {
        int width = t.head.ln.weight.value().dim(0);
        int layers = t.transformer.blocks().size();
        normal(t.tokenEmbedding, 0.02);
        normal(t.positionalEmbedding, 0.01);
        double projStd = Math.pow(width, -0.5) * Math.pow(2.0 * layers, -0.5);
        double attnStd = Math.pow(width, -0.5);
        double fcStd = Math.pow(2.0 * width, -0.5);
        Transformer tr = t.transformer;
        for (ResidualAttentionBlock b : tr.blocks()) {
            normal(b.attn.inProj.weight, attnStd);
            normal(b.attn.outProj.weight, projStd);
            defaultLinear(b.mlp);
            normal(b.mlp.fc.weight, fcStd);
            normal(b.mlp.proj.weight, projStd);
        }
        normal(t.head.proj, Math.pow(width, -0.5));
    }

    /** nn.Linear's reset_parameters: weight and bias uniform in +-1/sqrt(fan_in). */
    private void defaultLinear(Mlp mlp) {
        for (Linear l : new Linear[]{mlp.fc, mlp.proj}) {
            double bound = 1 / Math.sqrt(l.weight.value().dim(1));
            uniform(l.weight, bound);
            uniform(l.bias, bound);
        }
    }

    private void normal(Parameter p, double std) {
        float[] v = new float[Math.toIntExact(p.value().numel())];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rng.nextGaussian() * std);
        be.copyFromHost(v, 0, p.value());
    }

    private void uniform(Parameter p, double bound) {
        float[] v = new float[Math.toIntExact(p.value().numel())];
        for (int i = 0; i < v.length; i++) v[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
        be.copyFromHost(v, 0, p.value());
    }
}
