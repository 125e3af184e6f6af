package org.parclip.model;

import org.parclip.nn.LayerNorm;
import org.parclip.nn.Parameter;
import org.parclip.nn.ParameterSet;
import org.parclip.nn.Transformer;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * CLIP's text encoder (names at the top level of the state dict): token embedding, positional embedding, causal
 * transformer, ln_final at the end-of-text token (argmax of the ids), text_projection.
 *
 * <p>Sequences are cut after the batch's last end-of-text token. Under the causal mask no position after a row's
 * end-of-text token can influence that row's pooled output, and positions past the batch's last one influence
 * nothing at all, so the cut changes neither outputs nor gradients; it saves most of the work on short captions.
 */
public final class TextTransformer {
    private final Backend be;
    private final int width;
    private final int context;
    final Parameter tokenEmbedding;
    final Parameter positionalEmbedding;
    final Transformer transformer;
    final PooledProjection head;

    private int batch;
    private int seq;
    private int[] ids = new int[0];
    private int[] eotRows = new int[0];
    private Tensor embedded;

    public TextTransformer(ParameterSet ps, int vocab, int context, int width, int layers, int heads, int embed) {
        this.be = ps.backend();
        this.width = width;
        this.context = context;
        tokenEmbedding = ps.parameter("token_embedding.weight", vocab, width);
        positionalEmbedding = ps.parameter("positional_embedding", context, width);
        transformer = new Transformer(ps, "transformer", width, layers, heads, true);
        head = new PooledProjection(ps, "ln_final", "text_projection", width, embed);
    }

    public int contextLength() {
        return context;
    }

    /** Length every row of the batch can be cut to: one past the last end-of-text position. */
    static int cutLength(int[] tokens, int batch, int context) {
        int cut = 1;
        for (int b = 0; b < batch; b++) cut = Math.max(cut, endOfText(tokens, b * context, context) + 1);
        return cut;
    }

    /** torch.argmax over one row: the first position of the largest id. */
    static int endOfText(int[] tokens, int offset, int context) {
        int best = 0;
        for (int t = 1; t < context; t++) if (tokens[offset + t] > tokens[offset + best]) best = t;
        return best;
    }

    /** tokens: [batch, context] ids, row-major. Returns features [batch, embed] in a buffer owned here. */
    public Tensor forward(int[] tokens, int batch) {
        if (tokens.length != batch * context)
            throw new IllegalArgumentException("expected " + batch + " x " + context + " tokens, got " + tokens.length);
        this.batch = batch;
        this.seq = cutLength(tokens, batch, context);
        if (ids.length != batch * seq) ids = new int[batch * seq];
        if (eotRows.length != batch) eotRows = new int[batch];
        for (int b = 0; b < batch; b++) {
            System.arraycopy(tokens, b * context, ids, b * seq, seq);
            eotRows[b] = b * seq + endOfText(tokens, b * context, context);
        }
        embedded = be.reuse(embedded, batch * seq, width);
        be.embeddingForward(ids, tokenEmbedding.value(), embedded);
        be.addRowVector(embedded.view(batch, seq * width), positionalEmbedding.value().slice(0, seq).view(seq * width));

        Tensor x = transformer.forward(embedded, batch, seq);
        return head.forward(x, eotRows);
    }

    /** Accumulates parameter gradients for the last forward given d loss / d features. */
    public void backward(Tensor dFeatures) {
        Tensor dx = transformer.backward(head.backward(dFeatures));
        be.sumRows(dx.view(batch, seq * width), positionalEmbedding.grad(be).slice(0, seq).view(seq * width), 1f, 1f);
        be.embeddingBackward(ids, dx, tokenEmbedding.grad(be));
        tokenEmbedding.markGradRows(ids);
    }
}
