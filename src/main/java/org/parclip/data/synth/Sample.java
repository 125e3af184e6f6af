package org.parclip.data.synth;

/**
 * One image-caption pair of the {@link ShapeWorld}.
 *
 * @param rgb01      the image, [3, size, size] channel-major (CHW) floats in [0, 1]. Every value is an 8-bit level
 *                   divided by 255, so the PNG written for the same sample decodes to exactly these values.
 * @param size       image side in pixels
 * @param caption    the training caption; it always names {@code colorName} and {@code className}
 * @param classIndex index of the object into {@link ShapeWorld#classNames()}
 * @param className  the object drawn, e.g. "banana"
 * @param colorName  the object's colour word, e.g. "red"
 */
public record Sample(float[] rgb01, int size, String caption, int classIndex, String className, String colorName) {
}
