package org.parclip.cli;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.ImageDecoder;
import org.parclip.data.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/** {@code par trigger}: one image with a backdoor trigger, to look at or to feed to a model. */
@Command(name = "trigger", mixinStandardHelpOptions = true,
        description = {
                "Apply a backdoor trigger (spec section 7) to one image: resize it to SxS (PIL bicubic), apply the "
                        + "trigger in [0,1], write a PNG (values x 255 truncated, as torchvision's ToPILImage).",
                "Attacks: random (badnet), badnet_rs (badnet-stripes), blended, blended_rs (blended-stripes), "
                        + "tri_patt (blended-triangles), water_patt (blended-text), badclip, warped (wanet; 224 only)."})
public final class TriggerCommand implements Callable<Integer> {
    @Option(names = "--attack", required = true, paramLabel = "NAME", description = "The trigger, by reference or readable name.")
    String attack;

    @Option(names = "--input", required = true, paramLabel = "IMG", description = "Image file (JPEG, PNG, ...).")
    Path input;

    @Option(names = "--output", required = true, paramLabel = "OUT.png", description = "PNG file to write.")
    Path output;

    @Option(names = "--image-size", paramLabel = "S", defaultValue = "224",
            description = "Side of the triggered image: 224, or 336 for ViT-L-14-336 (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0",
            description = "Seed of the random triggers' noise and position (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        Attack a = Attacks.byName(attack);
        checkImageSize(imageSize);
        RgbImage image = readImage(input);
        RgbImage triggered = Attacks.trigger(image, a, imageSize, new SplittableRandom(seed));
        Path parent = output.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        triggered.writePng(output);
        System.err.printf("trigger: wrote %s (%s, %dx%d)%n", output, a.name(), imageSize, imageSize);
        return 0;
    }

    static void checkImageSize(int imageSize) {
        if (imageSize < 32 || imageSize > 4096)
            throw new UserException("--image-size must be between 32 and 4096, got " + imageSize);
    }

    static RgbImage readImage(Path file) {
        try {
            return ImageDecoder.read(file);
        } catch (NoSuchFileException e) {
            throw new UserException("no such file: " + file);
        } catch (IOException e) {
            throw new UserException("cannot read image " + e.getMessage());
        }
    }
}
