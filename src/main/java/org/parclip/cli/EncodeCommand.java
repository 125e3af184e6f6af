package org.parclip.cli;

import org.parclip.io.Npy;
import org.parclip.io.Progress;
import org.parclip.model.ClipModel;
import org.parclip.model.Encoder;
import org.parclip.tensor.Backend;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code par encode}: image and/or text features of a checkpoint, written as float32 .npy files. */
@Command(name = "encode", mixinStandardHelpOptions = true,
        description = "Encode images and/or captions with a CLIP checkpoint; writes image_features.npy and text_features.npy.")
public final class EncodeCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "Any checkpoint format `par convert` reads.")
    Path checkpoint;

    static final class ImageInput {
        @Option(names = "--pixels", description = "float32 [N,3,R,R] .npy, already normalised.")
        Path pixels;
        @Option(names = "--images", description = "Folder of images, encoded in name order with CLIP preprocessing.")
        Path images;
    }

    static final class TextInput {
        @Option(names = "--tokens", description = "int32/int64 [N,context] .npy of token ids.")
        Path tokens;
        @Option(names = "--texts", description = "Text file, one caption per line.")
        Path texts;
    }

    @ArgGroup(exclusive = true)
    ImageInput imageInput;

    @ArgGroup(exclusive = true)
    TextInput textInput;

    @Option(names = "--output-dir", required = true)
    Path outputDir;

    @Option(names = "--batch-size", defaultValue = "64")
    int batchSize;

    @Option(names = "--normalize", description = "L2-normalise the features.")
    boolean normalize;

    @Mixin
    BackendOptions backendOptions;

    @Override
    public Integer call() throws Exception {
        if (imageInput == null && textInput == null)
            throw new UserException("nothing to encode: give --pixels/--images and/or --tokens/--texts");
        if (batchSize < 1) throw new UserException("--batch-size must be at least 1");
        Inputs.requireFile(checkpoint, "--checkpoint");
        Files.createDirectories(outputDir);
        try (Backend be = backendOptions.open()) {
            ClipModel model = Inputs.loadModel(be, checkpoint);
            Encoder encoder = new Encoder(model, batchSize, normalize);
            if (imageInput != null) {
                Inputs.Pixels px = imageInput.pixels != null ? Inputs.readPixels(imageInput.pixels, model.imageSize())
                        : Inputs.readImages(imageInput.images, model.imageSize());
                float[] f = encoder.images(px.values(), px.count(), Progress.stderr("encode images", px.count()));
                Npy.writeFloat32(outputDir.resolve("image_features.npy"), f, px.count(), f.length / Math.max(1, px.count()));
            }
            if (textInput != null) {
                Inputs.Tokens tk = textInput.tokens != null ? Inputs.readTokens(textInput.tokens, model.contextLength())
                        : Inputs.tokenizeFile(textInput.texts, model.contextLength());
                float[] f = encoder.texts(tk.ids(), tk.count(), Progress.stderr("encode texts", tk.count()));
                Npy.writeFloat32(outputDir.resolve("text_features.npy"), f, tk.count(), f.length / Math.max(1, tk.count()));
            }
        }
        return 0;
    }
}
