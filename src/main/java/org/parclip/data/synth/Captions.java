package org.parclip.data.synth;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Caption templates of the shape world (training) and the held-out zero-shot prompts (evaluation).
 *
 * <p>Training templates use the placeholders {object}, {color}, {size} (may be empty) and {bg}. Every one names
 * the object and its colour, so the text encoder learns both attributes. The zero-shot prompts have a structure no
 * training caption has ("the" + colour + object, different word order) so that classification is genuinely
 * zero-shot, yet they use only words that training captions contain: a from-scratch text encoder has random
 * embeddings for words it never saw, which would add noise to every class prompt alike.
 *
 * <p>Each held-out template is filled once per colour and the classifier averages them (CLIP's prompt ensembling):
 * a small text encoder that has only ever read captions naming the colour embeds colourless prompts poorly, and
 * fine-tuning moves those embeddings further. Measured on a backdoored demo model (seed 0): zero-shot accuracy
 * 67.1% with the six colourless prompts against 78.8% with the 48 colour-ensembled ones; after plain fine-tuning
 * at lr_start 3e-4 the colourless prompts fell to 58.8% while the ensemble stayed at 78.8%.
 */
final class Captions {
    private Captions() {
    }

    static final List<String> TRAINING = List.of(
            "a photo of a {size} {color} {object}.",
            "a {size} {color} {object}",
            "a {color} {object} on a {bg} background",
            "a drawing of a {color} {object}.",
            "an image of a {size} {color} {object}.",
            "a {object} in {color}.",
            "there is a {color} {object} on the {bg} background.",
            "the {size} {object} is {color}.",
            "a picture of a {color} {object} in the middle.");

    private static final List<String> HELD_OUT = List.of(
            "a photo of the {color} {}.",
            "a drawing of the {color} {}.",
            "an image of the {color} {}.",
            "the {color} {} on a background.",
            "a picture of the {color} {}.",
            "there is the {color} {} in the picture.");

    /** Every held-out template with every colour: 48 prompts, "{}" standing for the class name. */
    static final List<String> ZERO_SHOT = HELD_OUT.stream()
            .flatMap(t -> Palette.COLOR_NAMES.stream().map(c -> t.replace("{color}", c)))
            .toList();

    private static final Pattern SPACES = Pattern.compile(" {2,}");
    private static final Pattern A_VOWEL = Pattern.compile("\\ba (?=[aeiou])");
    private static final Pattern SPACE_PUNCT = Pattern.compile(" (?=[.,])");

    /** Fills a training template; an empty size word leaves no double space, and "a orange" becomes "an orange". */
    static String fill(String template, String object, String color, String size, String background) {
        String s = template.replace("{object}", object).replace("{color}", color)
                .replace("{size}", size).replace("{bg}", background);
        s = SPACES.matcher(s).replaceAll(" ").strip();
        s = SPACE_PUNCT.matcher(s).replaceAll("");
        return A_VOWEL.matcher(s).replaceAll("an ");
    }
}
