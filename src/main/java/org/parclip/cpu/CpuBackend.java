package org.parclip.cpu;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.util.Arrays;

/**
 * The CPU implementation of {@link Backend}: float arrays, a fixed thread pool and an {@link Sgemm}. Each op family
 * lives in its own class; this one only routes. Ops keep reusable scratch buffers, so one backend serves one
 * calling thread at a time (as a training loop uses it). For a fixed thread count every op is deterministic.
 */
public final class CpuBackend implements Backend {
    private final Parallel par;
    private final ElementwiseOps elementwise;
    private final MatmulOps matmul;
    private final LayerNormOps layerNorm;
    private final BatchNormOps batchNorm;
    private final ActivationOps activations;
    private final AttentionOps attention;
    private final ConvOps conv;
    private final EmbeddingOps embedding;
    private final LossOps losses;
    private final AdamW adamw;

    public CpuBackend(int threads, Sgemm gemm) {
        this.par = new Parallel(threads);
        this.elementwise = new ElementwiseOps(par);
        this.matmul = new MatmulOps(gemm);
        this.layerNorm = new LayerNormOps(par);
        this.batchNorm = new BatchNormOps(par);
        this.activations = new ActivationOps(par);
        this.attention = new AttentionOps(par);
        this.conv = new ConvOps(par, gemm);
        this.embedding = new EmbeddingOps(par);
        this.losses = new LossOps(par, gemm);
        this.adamw = new AdamW(par);
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public boolean rowSparseUpdates() {
        return true;
    }

    public int threads() {
        return par.threads();
    }

    @Override
    public Tensor allocate(int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        if (n > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor too large for one Java array: " + n);
        return new Tensor(new CpuStorage((int) n), 0, shape);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        Tensor t = new Tensor(new CpuStorage(data.clone()), 0, shape);
        if (t.numel() != data.length)
            throw new IllegalArgumentException(data.length + " elements given for a tensor of " + t.numel());
        return t;
    }

    @Override
    public float[] toHost(Tensor t) {
        int o = CpuStorage.offset(t);
        return Arrays.copyOfRange(CpuStorage.array(t), o, Math.toIntExact(o + t.numel()));
    }

    @Override
    public void copyFromHost(float[] src, int srcOffset, Tensor t) {
        System.arraycopy(src, srcOffset, CpuStorage.array(t), CpuStorage.offset(t), Math.toIntExact(t.numel()));
    }

    @Override
    public void fill(Tensor t, float value) {
        elementwise.fill(t, value);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        elementwise.copy(src, dst);
    }

    @Override
    public void copyBlocks(Tensor src, long srcOffset, int srcStride, Tensor dst, long dstOffset, int dstStride,
                           int count, int length, boolean accumulate) {
        elementwise.copyBlocks(src, srcOffset, srcStride, dst, dstOffset, dstStride, count, length, accumulate);
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        elementwise.axpy(alpha, x, y);
    }

    @Override
    public void scale(Tensor x, float s) {
        elementwise.scale(x, s);
    }

    @Override
    public void addRowVector(Tensor x, Tensor bias) {
        elementwise.addRowVector(x, bias);
    }

    @Override
    public void sumRows(Tensor x, Tensor out, float alpha, float beta) {
        elementwise.sumRows(x, out, alpha, beta);
    }

    @Override
    public double sumOfSquares(Tensor x) {
        return elementwise.sumOfSquares(x);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        matmul.matmul(a, transA, b, transB, c, alpha, beta);
    }

    @Override
    public void batchedMatmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float alpha, float beta) {
        matmul.batchedMatmul(a, transA, b, transB, c, alpha, beta);
    }

    @Override
    public void layerNormForward(Tensor x, Tensor weight, Tensor bias, float eps, Tensor out, Tensor mean, Tensor rstd) {
        layerNorm.forward(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor mean, Tensor rstd,
                                  Tensor dx, boolean accumulateDx, Tensor dweight, Tensor dbias) {
        layerNorm.backward(dout, x, weight, mean, rstd, dx, accumulateDx, dweight, dbias);
    }

    @Override
    public void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                 boolean training, float momentum, float eps, Tensor out, Tensor saveMean,
                                 Tensor saveInvStd) {
        batchNorm.forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean, saveInvStd);
    }

    @Override
    public void batchNormBackward(Tensor dout, Tensor x, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                                  boolean training, Tensor dx, Tensor dweight, Tensor dbias) {
        batchNorm.backward(dout, x, weight, saveMean, saveInvStd, training, dx, dweight, dbias);
    }

    @Override
    public void l2NormalizeForward(Tensor x, Tensor out, Tensor norms) {
        losses.l2NormalizeForward(x, out, norms);
    }

    @Override
    public void l2NormalizeBackward(Tensor dout, Tensor out, Tensor norms, Tensor dx, boolean accumulateDx) {
        losses.l2NormalizeBackward(dout, out, norms, dx, accumulateDx);
    }

    @Override
    public void quickGeluForward(Tensor x, Tensor out) {
        activations.quickGeluForward(x, out);
    }

    @Override
    public void quickGeluBackward(Tensor x, Tensor dout, Tensor dx) {
        activations.quickGeluBackward(x, dout, dx);
    }

    @Override
    public void reluForward(Tensor x, Tensor out) {
        activations.reluForward(x, out);
    }

    @Override
    public void reluBackward(Tensor out, Tensor dout, Tensor dx) {
        activations.reluBackward(out, dout, dx);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor out) {
        activations.softmaxRows(x, out);
    }

    @Override
    public int[] attentionSavedShape(int batch, int heads, int seq) {
        return AttentionOps.savedShape(batch, heads, seq);
    }

    @Override
    public void attentionForward(Tensor qkv, Tensor out, Tensor saved, int batch, int seq, int heads, boolean causal) {
        attention.forward(qkv, out, saved, batch, seq, heads, causal);
    }

    @Override
    public void attentionBackward(Tensor qkv, Tensor out, Tensor dout, Tensor saved, Tensor dqkv,
                                  int batch, int seq, int heads, boolean causal) {
        attention.backward(qkv, dout, saved, dqkv, batch, seq, heads, causal);
    }

    @Override
    public void patchify(Tensor x, int patch, Tensor out) {
        conv.patchify(x, patch, out);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor weight, int stride, int padding, Tensor out) {
        conv.conv2dForward(x, weight, stride, padding, out);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor weight, int stride, int padding, Tensor dout, Tensor dx,
                               Tensor dweight) {
        conv.conv2dBackward(x, weight, stride, padding, dout, dx, dweight);
    }

    @Override
    public void avgPoolForward(Tensor x, int k, Tensor out) {
        conv.avgPoolForward(x, k, out);
    }

    @Override
    public void avgPoolBackward(Tensor dout, int k, Tensor dx) {
        conv.avgPoolBackward(dout, k, dx);
    }

    @Override
    public void transpose12(Tensor x, Tensor out) {
        conv.transpose12(x, out);
    }

    @Override
    public void embeddingForward(int[] ids, Tensor table, Tensor out) {
        embedding.gather(table, ids, out);
    }

    @Override
    public void embeddingBackward(int[] ids, Tensor dout, Tensor dtable) {
        embedding.scatterAdd(dout, ids, dtable);
    }

    @Override
    public void gatherRows(Tensor x, int[] rows, Tensor out) {
        embedding.gather(x, rows, out);
    }

    @Override
    public void scatterAddRows(Tensor dout, int[] rows, Tensor dx) {
        embedding.scatterAdd(dout, rows, dx);
    }

    @Override
    public ContrastiveResult contrastiveLoss(Tensor a, Tensor b, float scale, Tensor da, Tensor db, float gradWeight) {
        return losses.contrastiveLoss(a, b, scale, da, db, gradWeight);
    }

    @Override
    public double squaredDistanceMean(Tensor a, Tensor b, Tensor da, float gradWeight) {
        return losses.squaredDistanceMean(a, b, da, gradWeight);
    }

    @Override
    public void adamw(Tensor param, Tensor grad, Tensor m, Tensor v, float lr, float beta1, float beta2, float eps,
                      float weightDecay, float gradScale, int step) {
        adamw.step(param, grad, m, v, lr, beta1, beta2, eps, weightDecay, gradScale, step);
    }

    @Override
    public void close() {
        par.close();
    }
}
