package org.parclip.model;

import org.parclip.nn.ParameterSet;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * CLIP's ModifiedResNet image encoder (names under {@code visual.}): a stem of three 3x3 convs (stride 2, 1, 1;
 * widths w/2, w/2, w), each with BatchNorm and ReLU, then avgpool(2); four stages of {@link Bottleneck}s at widths
 * w, 2w, 4w, 8w (x4 expansion), the first block of stages 2-4 with stride 2; then the {@link AttentionPool2d} over
 * the 32x-downsampled map (32w channels) to the embedding.
 *
 * <p>Train mode normalises with batch statistics and updates the running ones (the student); eval mode uses the
 * running statistics (the frozen teacher, encoding). Backward follows the mode of the last forward.
 */
public final class ModifiedResNet implements ImageEncoder {
    private final Backend be;
    private final int imageSize;
    final ConvBn stem1;
    final ConvBn stem2;
    final ConvBn stem3;
    private final List<Bottleneck> blocks = new ArrayList<>();
    final AttentionPool2d attnpool;
    private final GradientSlots grads;
    private boolean training;
    private Tensor stemOut;

    /**
     * @param layers    Bottleneck blocks per stage (4 entries)
     * @param width     base width w
     * @param heads     attention-pool heads (OpenAI: 32w / 64)
     * @param imageSize input side, a multiple of 32
     * @param embed     output (embedding) dimension
     */
    public ModifiedResNet(ParameterSet ps, int[] layers, int width, int heads, int imageSize, int embed) {
        if (layers.length != 4) throw new IllegalArgumentException("a ModifiedResNet has 4 stages, got " + layers.length);
        if (imageSize % 32 != 0) throw new IllegalArgumentException("image " + imageSize + " is not a multiple of 32");
        this.be = ps.backend();
        this.imageSize = imageSize;
        stem1 = new ConvBn(ps, "visual.conv1", "visual.bn1", 3, width / 2, 3, 2, 1, true);
        stem2 = new ConvBn(ps, "visual.conv2", "visual.bn2", width / 2, width / 2, 3, 1, 1, true);
        stem3 = new ConvBn(ps, "visual.conv3", "visual.bn3", width / 2, width, 3, 1, 1, true);
        int inplanes = width;
        for (int stage = 0; stage < 4; stage++) {
            int planes = width << stage;
            for (int b = 0; b < layers[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                blocks.add(new Bottleneck(ps, "visual.layer" + (stage + 1) + "." + b, inplanes, planes, stride));
                inplanes = planes * Bottleneck.EXPANSION;
            }
        }
        attnpool = new AttentionPool2d(ps, "visual.attnpool", imageSize / 32, width * 32, heads, embed);
        grads = new GradientSlots(be);
    }

    @Override
    public int imageSize() {
        return imageSize;
    }

    @Override
    public void setTraining(boolean training) {
        this.training = training;
    }

    /** The Bottlenecks of all four stages, in order. */
    List<Bottleneck> blocks() {
        return Collections.unmodifiableList(blocks);
    }

    @Override
    public Tensor forward(Tensor pixels) {
        Tensor x = stem3.forward(stem2.forward(stem1.forward(pixels, training), training), training);
        stemOut = be.reuse(stemOut, Bottleneck.pooledShape(x, 2));
        be.avgPoolForward(x, 2, stemOut);
        x = stemOut;
        for (Bottleneck b : blocks) x = b.forward(x, training);
        return attnpool.forward(x);
    }

    @Override
    public void backward(Tensor dFeatures) {
        int carry = GradientSlots.CARRY;
        Tensor d = grads.get(carry, blocks.getLast().outputShape());
        attnpool.backward(dFeatures, d);
        for (int i = blocks.size() - 1; i >= 0; i--) {
            carry = 1 - carry;
            Tensor dx = grads.get(carry, blocks.get(i).inputShape());
            blocks.get(i).backward(d, dx, grads);
            d = dx;
        }
        Tensor d3 = grads.get(GradientSlots.FLOW_A, stem3.outputShape());
        be.avgPoolBackward(d, 2, d3);
        Tensor d2 = grads.get(GradientSlots.FLOW_B, stem2.outputShape());
        stem3.backward(d3, grads.get(GradientSlots.CONV, d3.shape()), d2);
        Tensor d1 = grads.get(GradientSlots.FLOW_A, stem1.outputShape());
        stem2.backward(d2, grads.get(GradientSlots.CONV, d2.shape()), d1);
        stem1.backward(d1, grads.get(GradientSlots.CONV, d1.shape()), null); // the pixels need no gradient
    }
}
