package org.parclip.model;

import org.parclip.nn.LayerNorm;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.nn.Transformer;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * CLIP's ViT image encoder (names under {@code visual.}): patch convolution without bias, class token, positional
 * embedding, ln_pre, pre-norm transformer, ln_post on the class token, projection to the embedding.
 */
public final class VisionTransformer implements ImageEncoder {
    private final Backend be;
    private final int width;
    private final int patch;
    private final int grid;
    final Parameter conv1;
    final Parameter classEmbedding;
    final Parameter positionalEmbedding;
    final LayerNorm lnPre;
    final Transformer transformer;
    final PooledProjection head;

    private int batch;
    private Tensor patches;
    private Tensor patchEmbed;
    private Tensor tokens;
    private Tensor dTokens;
    private Tensor dPatchEmbed;
    private int[] classRows = new int[0];

    public VisionTransformer(ParameterSet ps, int width, int layers, int heads, int patch, int imageSize, int embed) {
        if (imageSize % patch != 0) throw new IllegalArgumentException("image " + imageSize + " not a multiple of patch " + patch);
        this.be = ps.backend();
        this.width = width;
        this.patch = patch;
        this.grid = imageSize / patch;
        conv1 = ps.parameter("visual.conv1.weight", width, 3, patch, patch);
        classEmbedding = ps.parameter("visual.class_embedding", width);
        positionalEmbedding = ps.parameter("visual.positional_embedding", grid * grid + 1, width);
        lnPre = new LayerNorm(ps, "visual.ln_pre", width);
        transformer = new Transformer(ps, "visual.transformer", width, layers, heads, false);
        head = new PooledProjection(ps, "visual.ln_post", "visual.proj", width, embed);
    }

    @Override
    public int imageSize() {
        return grid * patch;
    }

    private int seq() {
        return grid * grid + 1;
    }

    @Override
    public Tensor forward(Tensor pixels) {
        batch = pixels.dim(0);
        int n = grid * grid, seq = seq();
        patches = be.reuse(patches, batch * n, 3 * patch * patch);
        be.patchify(pixels, patch, patches);
        patchEmbed = be.reuse(patchEmbed, batch * n, width);
        be.matmul(patches, false, conv1.value().view(width, -1), true, patchEmbed, 1f, 0f);

        tokens = be.reuse(tokens, batch * seq, width);
        be.copyBlocks(classEmbedding.value(), 0, 0, tokens, 0, seq * width, batch, width, false);
        be.copyBlocks(patchEmbed, 0, n * width, tokens, width, seq * width, batch, n * width, false);
        be.addRowVector(tokens.view(batch, seq * width), positionalEmbedding.value().view(seq * width));

        Tensor x = transformer.forward(lnPre.forward(tokens), batch, seq);
        if (classRows.length != batch) {
            classRows = new int[batch];
            for (int b = 0; b < batch; b++) classRows[b] = b * seq;
        }
        return head.forward(x, classRows);
    }

    @Override
    public void backward(Tensor dFeatures) {
        int n = grid * grid, seq = seq();
        Tensor dx = transformer.backward(head.backward(dFeatures));
        dTokens = be.reuse(dTokens, batch * seq, width);
        lnPre.backward(dx, dTokens, false);
        be.sumRows(dTokens.view(batch, seq * width), positionalEmbedding.grad(be).view(seq * width), 1f, 1f);
        be.copyBlocks(dTokens, 0, seq * width, classEmbedding.grad(be), 0, 0, batch, width, true);
        dPatchEmbed = be.reuse(dPatchEmbed, batch * n, width);
        be.copyBlocks(dTokens, width, seq * width, dPatchEmbed, 0, n * width, batch, n * width, false);
        be.matmul(dPatchEmbed, true, patches, false, conv1.grad(be).view(width, -1), 1f, 1f);
    }
}
