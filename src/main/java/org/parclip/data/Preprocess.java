package org.parclip.data;

import java.util.random.RandomGenerator;

/**
 * CLIP's image preprocessing as open_clip builds it for evaluation (and PAR uses for training):
 * torchvision Resize(S, BICUBIC) on a PIL image, CenterCrop(S), ToTensor, Normalize(CLIP mean, std), optionally
 * with PAR's {@link Augment} around the normalisation. Outputs equal torchvision's bit for bit.
 */
public final class Preprocess implements SampleTransform {
    private static final float[] MEAN = {0.48145466f, 0.4578275f, 0.40821073f};
    private static final float[] STD = {0.26862954f, 0.26130258f, 0.27577711f};

    private final int imageSize;
    private final Augment augment;

    private Preprocess(int imageSize, Augment augment) {
        if (imageSize <= 0) throw new IllegalArgumentException("image size " + imageSize);
        this.imageSize = imageSize;
        this.augment = augment;
    }

    /** The evaluation transform for a model with input size {@code imageSize}. */
    public static Preprocess clip(int imageSize) {
        return new Preprocess(imageSize, null);
    }

    /** This transform with PAR's training augmentation: noise before normalising, random erasing after. */
    public Preprocess withAugment(Augment augment) {
        return new Preprocess(imageSize, augment);
    }

    public int imageSize() {
        return imageSize;
    }

    /** Resize(S) then CenterCrop(S): the 8-bit S x S image the tensor is made of. */
    public RgbImage resizeAndCrop(RgbImage image) {
        RgbImage resized = Resize.shortSide(image, imageSize);
        // torchvision: int(round((h - S) / 2.0)), Python's round-half-even; rint is the same rounding.
        int top = (int) Math.rint((resized.height() - imageSize) / 2.0);
        int left = (int) Math.rint((resized.width() - imageSize) / 2.0);
        return resized.crop(left, top, imageSize, imageSize);
    }

    /** The normalised [3, S, S] tensor, without augmentation. */
    public float[] apply(RgbImage image) {
        float[] x = toUnit(resizeAndCrop(image));
        normalize(x);
        return x;
    }

    @Override
    public float[] apply(RgbImage image, RandomGenerator rng) {
        if (augment == null) return apply(image);
        float[] x = toUnit(resizeAndCrop(image));
        augment.noise(x, rng);
        normalize(x);
        augment.erase(x, imageSize, imageSize, rng);
        return x;
    }

    /** ToTensor: channel-first [3, H, W] floats v / 255 (float32 division, as torch's {@code div(255)}). */
    public static float[] toUnit(RgbImage image) {
        int plane = image.width() * image.height();
        byte[] px = image.pixels();
        float[] out = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            out[i] = (px[3 * i] & 0xff) / 255f;
            out[plane + i] = (px[3 * i + 1] & 0xff) / 255f;
            out[2 * plane + i] = (px[3 * i + 2] & 0xff) / 255f;
        }
        return out;
    }

    /** The inverse of {@link #normalize}: back to [0, 1] values, in place. */
    public static void denormalize(float[] chw) {
        int plane = chw.length / 3;
        for (int c = 0; c < 3; c++) {
            float m = MEAN[c], s = STD[c];
            for (int i = c * plane, end = i + plane; i < end; i++) chw[i] = chw[i] * s + m;
        }
    }

    /** Normalize in place: (x - mean[c]) / std[c] in float32, as torchvision's {@code sub_(mean).div_(std)}. */
    public static void normalize(float[] chw) {
        int plane = chw.length / 3;
        for (int c = 0; c < 3; c++) {
            float m = MEAN[c], s = STD[c];
            for (int i = c * plane, end = i + plane; i < end; i++) chw[i] = (chw[i] - m) / s;
        }
    }
}
