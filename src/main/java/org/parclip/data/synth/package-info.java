/**
 * The synthetic image-caption world behind {@code par demo} and {@code par synth}.
 *
 * <p>{@link org.parclip.data.synth.ShapeWorld} renders any sample on demand from (seed, index), in memory as CHW
 * floats or as an 8-bit image; {@link org.parclip.data.synth.SynthWriter} writes a CC3M-style data set (PNG files,
 * train.csv, a labelled eval.csv, classes.json, templates.json) that the ordinary training and evaluation commands
 * read. The world is designed to be learned in minutes by a tiny ViT on a CPU: eight large, filled, distinct
 * shapes (one of them "banana", the usual backdoor target) in eight colours independent of the shape.
 */
package org.parclip.data.synth;
