package org.parclip.train;

import org.parclip.cli.UserException;

import java.util.Locale;

/** The objectives the trainer can optimise: PAR, plain fine-tuning (CLIP loss, "ft"), CleanCLIP. */
public enum LossKind {
    PAR, CLIP, CLEANCLIP;

    public static LossKind parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "par" -> PAR;
            case "clip", "ft" -> CLIP;
            case "cleanclip" -> CLEANCLIP;
            default -> throw new UserException("unknown loss '" + s + "' (expected par, clip/ft or cleanclip)");
        };
    }
}
