package org.parclip.io;

import org.parclip.tensor.DType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a ViT CLIP as a Hugging Face {@code CLIPModel} directory: model.safetensors under HF names and a
 * config.json (CLIPConfig with text_config and vision_config, hidden_act "quick_gelu" as OpenAI models use).
 */
public final class HfExport {
    private HfExport() {
    }

    public static void write(Path dir, StateDict sd, DType dtype) throws IOException {
        ClipArchitecture arch = ClipArchitecture.infer(sd);
        Map<String, HostTensor> tensors = HfClip.toHf(sd, arch);
        Files.createDirectories(dir);
        Safetensors.write(dir.resolve("model.safetensors"), tensors, dtype, Map.of("format", "pt"));
        AtomicFiles.writeString(dir.resolve("config.json"), Json.writePretty(config(arch, dtype)));
    }

    static Map<String, Object> config(ClipArchitecture a, DType dtype) {
        Map<String, Object> text = new LinkedHashMap<>();
        text.put("model_type", "clip_text_model");
        text.put("vocab_size", (long) a.vocabSize());
        text.put("hidden_size", (long) a.textWidth());
        text.put("intermediate_size", 4L * a.textWidth());
        text.put("projection_dim", (long) a.embedDim());
        text.put("num_hidden_layers", (long) a.textLayers());
        text.put("num_attention_heads", (long) a.textHeads());
        text.put("max_position_embeddings", (long) a.contextLength());
        text.put("hidden_act", "quick_gelu");
        text.put("layer_norm_eps", 1e-5);
        // OpenAI's converted configs keep these legacy ids; eos_token_id 2 makes transformers pool at the argmax
        // token id, which is exactly OpenAI's end-of-text rule.
        text.put("pad_token_id", 1L);
        text.put("bos_token_id", 0L);
        text.put("eos_token_id", 2L);
        Map<String, Object> vision = new LinkedHashMap<>();
        vision.put("model_type", "clip_vision_model");
        vision.put("hidden_size", (long) a.visionWidth());
        vision.put("intermediate_size", 4L * a.visionWidth());
        vision.put("projection_dim", (long) a.embedDim());
        vision.put("num_hidden_layers", (long) a.visionLayers());
        vision.put("num_attention_heads", (long) a.visionHeads());
        vision.put("num_channels", 3L);
        vision.put("image_size", (long) a.imageSize());
        vision.put("patch_size", (long) a.patchSize());
        vision.put("hidden_act", "quick_gelu");
        vision.put("layer_norm_eps", 1e-5);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("CLIPModel"));
        c.put("model_type", "clip");
        c.put("projection_dim", (long) a.embedDim());
        c.put("logit_scale_init_value", 2.6592);
        c.put("initializer_factor", 1.0);
        c.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        c.put("text_config", text);
        c.put("vision_config", vision);
        return c;
    }
}
