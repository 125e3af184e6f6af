package org.parclip.io;

import org.parclip.cli.UserException;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The name mapping between Hugging Face's CLIPModel and OpenAI/open_clip state dicts (spec §4): q, k and v
 * projections stack into in_proj; the two projections are transposed; position_ids buffers are dropped.
 * One table serves both directions, so import and export cannot drift apart.
 */
final class HfClip {
    private enum Kind { SAME, TRANSPOSED, QKV }

    /** An OpenAI tensor and its HF source; for QKV, {@code hf} has a %s where q, k or v goes. */
    private record Pair(String openai, Kind kind, String hf) {
    }

    private static final Pattern TEXT_LAYER = Pattern.compile("^text_model\\.encoder\\.layers\\.(\\d{1,6})\\.");
    private static final Pattern VISION_LAYER = Pattern.compile("^vision_model\\.encoder\\.layers\\.(\\d{1,6})\\.");
    private static final String[][] BLOCK = {
            {"attn.out_proj.weight", "self_attn.out_proj.weight"}, {"attn.out_proj.bias", "self_attn.out_proj.bias"},
            {"ln_1.weight", "layer_norm1.weight"}, {"ln_1.bias", "layer_norm1.bias"},
            {"mlp.c_fc.weight", "mlp.fc1.weight"}, {"mlp.c_fc.bias", "mlp.fc1.bias"},
            {"mlp.c_proj.weight", "mlp.fc2.weight"}, {"mlp.c_proj.bias", "mlp.fc2.bias"},
            {"ln_2.weight", "layer_norm2.weight"}, {"ln_2.bias", "layer_norm2.bias"}};

    private HfClip() {
    }

    static boolean isHf(StateDict sd) {
        return sd.names().stream().anyMatch(n -> n.startsWith("text_model.") || n.startsWith("vision_model."));
    }

    /** Every OpenAI tensor of a ViT CLIP with its HF counterpart, in OpenAI's state-dict order. */
    private static List<Pair> pairs(int visionLayers, int textLayers) {
        List<Pair> p = new ArrayList<>();
        p.add(new Pair("positional_embedding", Kind.SAME, "text_model.embeddings.position_embedding.weight"));
        p.add(new Pair("text_projection", Kind.TRANSPOSED, "text_projection.weight"));
        p.add(new Pair("logit_scale", Kind.SAME, "logit_scale"));
        p.add(new Pair("visual.class_embedding", Kind.SAME, "vision_model.embeddings.class_embedding"));
        p.add(new Pair("visual.positional_embedding", Kind.SAME, "vision_model.embeddings.position_embedding.weight"));
        p.add(new Pair("visual.proj", Kind.TRANSPOSED, "visual_projection.weight"));
        p.add(new Pair("visual.conv1.weight", Kind.SAME, "vision_model.embeddings.patch_embedding.weight"));
        p.add(new Pair("visual.ln_pre.weight", Kind.SAME, "vision_model.pre_layrnorm.weight"));
        p.add(new Pair("visual.ln_pre.bias", Kind.SAME, "vision_model.pre_layrnorm.bias"));
        blocks(p, "visual.transformer.resblocks.", "vision_model.encoder.layers.", visionLayers);
        p.add(new Pair("visual.ln_post.weight", Kind.SAME, "vision_model.post_layernorm.weight"));
        p.add(new Pair("visual.ln_post.bias", Kind.SAME, "vision_model.post_layernorm.bias"));
        blocks(p, "transformer.resblocks.", "text_model.encoder.layers.", textLayers);
        p.add(new Pair("token_embedding.weight", Kind.SAME, "text_model.embeddings.token_embedding.weight"));
        p.add(new Pair("ln_final.weight", Kind.SAME, "text_model.final_layer_norm.weight"));
        p.add(new Pair("ln_final.bias", Kind.SAME, "text_model.final_layer_norm.bias"));
        return p;
    }

    private static void blocks(List<Pair> p, String openai, String hf, int layers) {
        for (int i = 0; i < layers; i++) {
            String o = openai + i + ".", h = hf + i + ".";
            p.add(new Pair(o + "attn.in_proj_weight", Kind.QKV, h + "self_attn.%s_proj.weight"));
            p.add(new Pair(o + "attn.in_proj_bias", Kind.QKV, h + "self_attn.%s_proj.bias"));
            for (String[] b : BLOCK) p.add(new Pair(o + b[0], Kind.SAME, h + b[1]));
        }
    }

    /** An HF CLIPModel state dict under OpenAI names; every HF tensor but position_ids must be used. */
    static StateDict toOpenAi(StateDict hf) {
        StateDict out = new StateDict("hf-" + hf.format());
        out.metadata().putAll(hf.metadata());
        Set<String> used = new HashSet<>();
        for (Pair p : pairs(layers(hf, VISION_LAYER), layers(hf, TEXT_LAYER))) {
            HostTensor t = switch (p.kind) {
                case SAME -> take(hf, p.hf, used);
                case TRANSPOSED -> matrix(take(hf, p.hf, used), p.hf).transpose2d();
                case QKV -> stack(p.openai, take(hf, p.hf.formatted("q"), used),
                        take(hf, p.hf.formatted("k"), used), take(hf, p.hf.formatted("v"), used));
            };
            out.put(p.openai, t);
        }
        TreeSet<String> unused = new TreeSet<>(hf.names());
        unused.removeAll(used);
        unused.removeIf(n -> n.endsWith("position_ids"));
        if (!unused.isEmpty())
            throw new UserException("Hugging Face checkpoint has tensors CLIPModel does not: " + unused.first()
                    + (unused.size() > 1 ? " and " + (unused.size() - 1) + " more" : ""));
        return out;
    }

    /** An OpenAI ViT CLIP state dict under HF CLIPModel names. */
    static Map<String, HostTensor> toHf(StateDict sd, ClipArchitecture arch) {
        if (!arch.isVit())
            throw new UserException("Hugging Face CLIPModel has no ResNet image tower; use --format openclip");
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Pair p : pairs(arch.visionLayers(), arch.textLayers())) {
            HostTensor t = sd.get(p.openai);
            if (t == null) throw new UserException("state dict lacks " + p.openai);
            switch (p.kind) {
                case SAME -> out.put(p.hf, t);
                case TRANSPOSED -> out.put(p.hf, matrix(t, p.openai).transpose2d());
                case QKV -> {
                    int rows = t.shape().length == 0 ? 0 : t.shape()[0];
                    if (rows % 3 != 0) throw new UserException(p.openai + " does not stack q, k and v");
                    int w = rows / 3;
                    out.put(p.hf.formatted("q"), t.rows(0, w));
                    out.put(p.hf.formatted("k"), t.rows(w, 2 * w));
                    out.put(p.hf.formatted("v"), t.rows(2 * w, 3 * w));
                }
            }
        }
        return out;
    }

    private static HostTensor take(StateDict sd, String name, Set<String> used) {
        HostTensor t = sd.get(name);
        if (t == null) throw new UserException("Hugging Face CLIP checkpoint lacks " + name);
        used.add(name);
        return t;
    }

    private static HostTensor stack(String name, HostTensor q, HostTensor k, HostTensor v) {
        if (!q.dtype().equals(k.dtype()) || !q.dtype().equals(v.dtype()) || q.shape().length == 0
                || !java.util.Arrays.equals(q.shape(), k.shape()) || !java.util.Arrays.equals(q.shape(), v.shape()))
            throw new UserException("q, k and v projections for " + name + " differ in shape or dtype");
        return HostTensor.concat0(List.of(q, k, v));
    }

    private static HostTensor matrix(HostTensor t, String name) {
        if (t.shape().length != 2) throw new UserException(name + " is not a matrix");
        return t;
    }

    private static int layers(StateDict sd, Pattern p) {
        TreeSet<Integer> seen = new TreeSet<>();
        for (String n : sd.names()) {
            Matcher m = p.matcher(n);
            if (m.find()) seen.add(Integer.parseInt(m.group(1)));
        }
        if (!seen.isEmpty() && (seen.first() != 0 || seen.last() != seen.size() - 1))
            throw new UserException("Hugging Face CLIP checkpoint has gaps in its layer numbering");
        return seen.size();
    }
}
