package org.parclip.tensor;

/**
 * The ops CLIP's forward and backward passes need, implemented once per device (CPU, CUDA). Model code composes
 * these and nothing else; a backend holds no model logic.
 *
 * <p>Conventions, shared by every implementation:
 * <ul>
 *   <li>Tensors are row-major and contiguous, F32 unless stated. "Rows" and "cols" mean the tensor seen as a matrix
 *       whose columns are its last dimension ({@link Tensor#rows()}, {@link Tensor#cols()}).</li>
 *   <li>Outputs are overwritten unless the op says it accumulates. Gradient outputs of parameters
 *       (dweight, dbias, dtable, ...) always accumulate ({@code +=}), so gradient accumulation across micro-batches
 *       and parameters used twice need no extra code. An output may alias an input only where the op says so.</li>
 *   <li>Integer inputs (token ids, row indices) are host {@code int[]}: they come from the data loader, and a GPU
 *       backend uploads them itself.</li>
 *   <li>A {@code null} gradient output means "not needed" (e.g. the pixels' gradient).</li>
 *   <li>Ops are synchronous from the caller's point of view: {@link #toHost} after an op sees its result.</li>
 * </ul>
 */
public interface Backend extends AutoCloseable {

    /** Short name for logs and JSON: "cpu", "cuda". */
    String name();

    /**
     * Whether a row-sparse gradient (an embedding table's) should be zeroed and stepped run by run of the rows it
     * touched rather than in one pass over the table: true where an op on a slice costs about its memory traffic
     * (the CPU), false where each op is a kernel launch, and a batch of real captions leaves thousands of runs that
     * would cost more in launches than one pass over the table (CUDA).
     */
    boolean rowSparseUpdates();

    // ---------------------------------------------------------------- memory

    /** A new zero-filled F32 tensor. */
    Tensor allocate(int... shape);

    /**
     * A tensor of the given shape that reuses {@code previous}'s storage when it is large enough, else a new one.
     * Contents are unspecified. Layers call this for their activations so a training loop does not allocate.
     */
    default Tensor reuse(Tensor previous, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (previous != null && previous.storage().capacity() >= n) return new Tensor(previous.storage(), 0, shape);
        return allocate(shape);
    }

    /** A new tensor holding a copy of {@code data} (length must equal the shape's element count). */
    Tensor fromHost(float[] data, int... shape);

    /** A copy of the tensor's elements. */
    float[] toHost(Tensor t);

    /** Copies {@code t.numel()} host elements starting at {@code src[srcOffset]} into {@code t}. */
    void copyFromHost(float[] src, int srcOffset, Tensor t);

    void fill(Tensor t, float value);

    /** dst = src (same element count; shapes may differ). */
    void copy(Tensor src, Tensor dst);

    /**
     * Block copy: for {@code i < count}, {@code dst[dstOffset + i*dstStride + j] (+)= src[srcOffset + i*srcStride + j]}
     * for {@code j < length}, offsets in elements relative to each tensor's view. With {@code accumulate} and
     * {@code dstStride == 0} the blocks are summed into one (implementations must handle that without races).
     * Used to assemble token sequences (class token + patches) and to split their gradients.
     */
    void copyBlocks(Tensor src, long srcOffset, int srcStride, Tensor dst, long dstOffset, int dstStride,
                    int count, int length, boolean accumulate);

    // ---------------------------------------------------------------- elementwise and reductions

    /** y += alpha * x (same element count). */
    void axpy(float alpha, Tensor x, Tensor y);

    /** x *= s. */
    void scale(Tensor x, float s);

    /** x[r, c] += bias[c], with {@code bias.numel() == x.cols()}; broadcasting over rows (bias add, positions). */
    void addRowVector(Tensor x, Tensor bias);

    /** out[c] = beta * out[c] + alpha * sum_r x[r, c] (bias gradients, means over rows). */
    void sumRows(Tensor x, Tensor out, float alpha, float beta);

    /** Sum of squares of all elements, accumulated in double (gradient norms). */
    double sumOfSquares(Tensor x);

    // ---------------------------------------------------------------- matrix multiplication

    /**
     * C = alpha * op(A) * op(B) + beta * C, each seen as a matrix ([rows, cols], see class doc).
     * op(A) is [m, k]: A is [m, k], or [k, m] when {@code transA}; op(B) is [k, n]: B is [k, n], or [n, k] when
     * {@code transB}. C must hold m * n elements. A linear layer y = x W^T is {@code matmul(x, false, W, true, y, 1, 0)}.
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta);

    /**
     * {@link #matmul} over a batch: the first dimension of a, b and c is the batch, the rest of each is one matrix
     * seen as [rows, cols] as in {@link #matmul}.
     */
    void batchedMatmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta);

    // ---------------------------------------------------------------- normalisation

    /**
     * LayerNorm over the last dimension: out = (x - mean) * rstd * weight + bias, statistics in fp32 with the biased
     * variance. Saves mean[rows] and rstd[rows] for the backward pass. out may not alias x.
     */
    void layerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out, Tensor mean, Tensor rstd);

    /** LayerNorm backward. dx is overwritten, or accumulated into when {@code accumulateDx}; dweight, dbias accumulate. */
    void layerNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor mean, Tensor rstd,
                           Tensor dx, boolean accumulateDx, Tensor dweight, Tensor dbias);

    /**
     * BatchNorm2d over NCHW input, per channel. Training: normalise with the batch statistics (biased variance),
     * save mean and invstd [C], and update running statistics as PyTorch does (momentum 0.1, unbiased variance).
     * Eval: normalise with the running statistics (saveMean/saveInvStd still receive them for the backward).
     */
    void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                          boolean training, float momentum, float eps, Tensor out, Tensor saveMean, Tensor saveInvStd);

    /** BatchNorm2d backward; {@code training} selects batch-statistics or fixed-statistics gradients. dx overwritten. */
    void batchNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvStd, boolean training,
                           Tensor dx, Tensor dweight, Tensor dbias);

    /** Rows of x [rows, cols] divided by max(||row||, 1e-12) (F.normalize); norms[rows] saved. */
    void l2NormalizeForward(Tensor x, Tensor out, Tensor norms);

    /** Backward of {@link #l2NormalizeForward} given its output; dx overwritten, or accumulated when asked. */
    void l2NormalizeBackward(Tensor dout, Tensor out, Tensor norms, Tensor dx, boolean accumulateDx);

    // ---------------------------------------------------------------- activations

    /** out = x * sigmoid(1.702 x). out may alias x only if the caller keeps no use for x. */
    void quickGeluForward(Tensor x, Tensor out);

    /** dx = dout * d/dx[x * sigmoid(1.702 x)]; dx may alias dout. */
    void quickGeluBackward(Tensor x, Tensor dout, Tensor dx);

    /** out = max(x, 0); out may alias x. */
    void reluForward(Tensor x, Tensor out);

    /** dx = dout where out > 0 else 0, given the forward output; dx may alias dout. */
    void reluBackward(Tensor out, Tensor dout, Tensor dx);

    /** Softmax over the last dimension; out may alias x. */
    void softmaxRows(Tensor x, Tensor out);

    // ---------------------------------------------------------------- attention

    /**
     * Shape of the tensor {@link #attentionForward} saves for the backward pass: the CPU keeps the probabilities
     * [batch, heads, seq, seq], a flash-style GPU kernel keeps the log-sum-exp [batch, heads, seq].
     */
    int[] attentionSavedShape(int batch, int heads, int seq);

    /**
     * Multi-head scaled dot-product attention on the fused in_proj output.
     * qkv: [batch * seq, 3 * width], each row [q | k | v], head h of q at columns [h*d, (h+1)*d), d = width / heads.
     * out: [batch * seq, width], heads concatenated in the same order (ready for out_proj).
     * Scores are q·k / sqrt(d); with {@code causal}, key j > query i is masked out (the text encoder's mask).
     * saved: a tensor of {@link #attentionSavedShape}.
     */
    void attentionForward(Tensor qkv, Tensor out, Tensor saved, int batch, int seq, int heads, boolean causal);

    /** Backward of {@link #attentionForward}: dqkv [batch * seq, 3 * width] is overwritten. */
    void attentionBackward(Tensor qkv, Tensor out, Tensor dout, Tensor saved, Tensor dqkv,
                           int batch, int seq, int heads, boolean causal);

    // ---------------------------------------------------------------- convolution and pooling

    /**
     * Non-overlapping patches of images x [n, c, h, w] (stride = kernel = patch, no padding) as rows of
     * out [n * (h/patch) * (w/patch), c * patch * patch], in (c, ky, kx) order within a row and raster order of
     * patches: the ViT patch convolution is then {@code matmul(out, false, conv1.weight.view(width, -1), true, ...)}.
     */
    void patchify(Tensor x, int patch, Tensor out);

    /** Convolution without bias, NCHW, weight [cout, cin, kh, kw]; out [n, cout, ho, wo]. */
    void conv2dForward(Tensor x, Tensor weight, int stride, int padding, Tensor out);

    /** Convolution backward: dx (nullable) overwritten, dweight accumulated. */
    void conv2dBackward(Tensor x, Tensor weight, int stride, int padding, Tensor dout, Tensor dx, Tensor dweight);

    /** Average pooling with kernel = stride = k, no padding (nn.AvgPool2d(k)); out [n, c, h/k, w/k]. */
    void avgPoolForward(Tensor x, int k, Tensor out);

    /** Backward of {@link #avgPoolForward}; dx overwritten. */
    void avgPoolBackward(Tensor dout, int k, Tensor dx);

    /** Batched transpose: x [n, a, b] to out [n, b, a] (NCHW feature maps to token rows and back). */
    void transpose12(Tensor x, Tensor out);

    // ---------------------------------------------------------------- embeddings and gathers

    /** out[i, :] = table[ids[i], :], out [ids.length, width]. Ids out of range throw. */
    void embeddingForward(int[] ids, Tensor table, Tensor out);

    /** dtable[ids[i], :] += dout[i, :] (deterministic order). */
    void embeddingBackward(int[] ids, Tensor dout, Tensor dtable);

    /** out[i, :] = x[rows[i], :] for x seen as [rows, cols] (class-token and end-of-text pooling). */
    void gatherRows(Tensor x, int[] rows, Tensor out);

    /** dx[rows[i], :] += dout[i, :]; dx is not cleared first. */
    void scatterAddRows(Tensor dout, int[] rows, Tensor dx);

    // ---------------------------------------------------------------- losses

    /**
     * Symmetric InfoNCE of two batches of L2-normalised embeddings a, b [n, e] with logits = scale * a b^T and the
     * diagonal as labels: loss = (CE over rows + CE over columns) / 2, means over the batch. When da/db are not null,
     * {@code gradWeight * dloss/da} (resp. db) is added to them.
     */
    ContrastiveResult contrastiveLoss(Tensor a, Tensor b, float scale, Tensor da, Tensor db, float gradWeight);

    /**
     * mean over rows of ||a_r - b_r||^2 for a, b [n, e]; when da is not null, adds {@code gradWeight * d/da} to it
     * (b is treated as a constant: it is the frozen teacher's).
     */
    double squaredDistanceMean(Tensor a, Tensor b, Tensor da, float gradWeight);

    /** Loss value and the in-batch a-to-b top-1 hits of {@link #contrastiveLoss}. */
    record ContrastiveResult(double loss, int correct) {}

    // ---------------------------------------------------------------- optimiser

    /**
     * One AdamW step in place, as torch.optim.AdamW does it: g = gradScale * grad; p *= 1 - lr * weightDecay;
     * m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^step) * m / (sqrt(v) / sqrt(1 - b2^step) + eps).
     * {@code step} counts from 1.
     */
    void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
               float weightDecay, float gradScale, int step);

    /**
     * The factor {@link #adamw} multiplies weights by, computed in double and rounded once as torch does. Where an
     * element's gradient and both moments are zero, adamw's whole step is p *= this factor, bit for bit, which is
     * how rows a row-sparse gradient never touched are stepped ({@link #scale}).
     */
    static float adamwDecay(float lr, float weightDecay) {
        return (float) (1.0 - (double) lr * weightDecay);
    }

    /** Releases device resources. The CPU backend's pool threads are daemon threads; closing is optional there. */
    @Override
    void close();
}
