package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * nn.BatchNorm2d (eps 1e-5, momentum 0.1, affine, tracking running statistics) under PyTorch's names:
 * parameters {@code prefix.weight}, {@code prefix.bias}; buffers {@code prefix.running_mean}, {@code running_var},
 * {@code num_batches_tracked}. Train mode normalises with the batch statistics and updates the running ones; eval
 * mode normalises with the running ones.
 */
public final class BatchNorm2d {
    static final float EPS = 1e-5f;
    static final float MOMENTUM = 0.1f;
    private final Backend be;
    public final Parameter weight;
    public final Parameter bias;
    public final Parameter runningMean;
    public final Parameter runningVar;
    /**
     * Train-mode forwards so far. PyTorch keeps it for momentum=None (cumulative averages) only; with momentum 0.1 it
     * is bookkeeping, kept so a checkpoint round-trips. Held as a float on the device (exact up to 2^24 steps).
     */
    public final Parameter numBatchesTracked;
    private final Tensor one;
    private boolean training;
    private Tensor input;
    private Tensor output;
    private Tensor saveMean;
    private Tensor saveInvStd;

    public BatchNorm2d(ParameterSet ps, String prefix, int channels) {
        this.be = ps.backend();
        this.weight = ps.parameter(prefix + ".weight", channels);
        this.bias = ps.parameter(prefix + ".bias", channels);
        this.runningMean = ps.buffer(prefix + ".running_mean", channels);
        this.runningVar = ps.buffer(prefix + ".running_var", channels);
        this.numBatchesTracked = ps.counter(prefix + ".num_batches_tracked");
        be.fill(weight.value(), 1f);
        be.fill(runningVar.value(), 1f);
        // The increment is an axpy on the device, so counting never waits for the device.
        this.one = be.allocate(1);
        be.fill(one, 1f);
    }

    /** x [n, c, h, w]. Returns a buffer owned by this layer (the caller may overwrite it: backward does not read it). */
    public Tensor forward(Tensor x, boolean training) {
        this.training = training;
        input = x;
        int c = weight.value().dim(0);
        output = be.reuse(output, x.shape());
        saveMean = be.reuse(saveMean, c);
        saveInvStd = be.reuse(saveInvStd, c);
        be.batchNormForward(x, weight.value(), bias.value(), runningMean.value(), runningVar.value(), training,
                MOMENTUM, EPS, output, saveMean, saveInvStd);
        if (training) be.axpy(1f, one, numBatchesTracked.value());
        return output;
    }

    /** Accumulates weight and bias gradients and overwrites dx, in the mode of the last forward. */
    public void backward(Tensor dy, Tensor dx) {
        be.batchNormBackward(dy, input, weight.value(), saveMean, saveInvStd, training, dx, weight.grad(be), bias.grad(be));
    }
}
