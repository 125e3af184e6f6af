package org.parclip.model;

import org.parclip.cli.UserException;
import org.parclip.io.ClipArchitecture;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Resolves {@code --model} values: OpenAI's named architectures (ViT-B-32, ...) or a custom ViT written as
 * {@code vit:image=64,patch=16,width=192,layers=3,text_width=128,text_layers=3,embed=128,vocab=49408}
 * (unset keys take ViT-B-32's values; widths are multiples of 64, heads = width / 64).
 */
public final class ModelSpecs {
    private ModelSpecs() {
    }

    public static ClipArchitecture resolve(String spec) {
        if (spec.startsWith("vit:")) return custom(spec.substring(4));
        return ClipArchitecture.named(spec).orElseThrow(() -> new UserException("unknown model '" + spec
                + "': use one of " + String.join(", ", ClipArchitecture.knownNames()) + " or vit:key=value,..."));
    }

    private static ClipArchitecture custom(String body) {
        Map<String, Integer> v = new LinkedHashMap<>(Map.of("image", 224, "patch", 32, "width", 768, "layers", 12,
                "text_width", 512, "text_layers", 12, "embed", 512, "vocab", 49408, "context", 77));
        for (String kv : body.split(",")) {
            if (kv.isBlank()) continue;
            String[] p = kv.split("=", 2);
            String key = p[0].trim().toLowerCase(Locale.ROOT).replace('-', '_');
            if (p.length != 2 || !v.containsKey(key))
                throw new UserException("bad model key '" + kv + "' (keys: " + String.join(", ", v.keySet()) + ")");
            try {
                int x = Integer.parseInt(p[1].trim());
                if (x < 1) throw new NumberFormatException();
                v.put(key, x);
            } catch (NumberFormatException e) {
                throw new UserException("model key " + key + " needs a positive integer, got '" + p[1] + "'");
            }
        }
        int image = v.get("image"), patch = v.get("patch"), width = v.get("width"), textWidth = v.get("text_width");
        if (image % patch != 0) throw new UserException("image " + image + " is not a multiple of patch " + patch);
        if (width % 64 != 0 || textWidth % 64 != 0)
            throw new UserException("width and text_width must be multiples of 64 (the head size)");
        return new ClipArchitecture(true, width, v.get("layers"), heads(width), patch, image, image / patch,
                new int[0], 0, v.get("embed"), v.get("context"), v.get("vocab"), textWidth, heads(textWidth),
                v.get("text_layers"));
    }

    private static int heads(int width) {
        return width / 64;
    }
}
