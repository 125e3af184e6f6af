package org.parclip.io;

import org.parclip.cli.UserException;

import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI CLIP architecture as the OpenAI loader infers it from a state dict alone (spec §3). Heads are
 * width / 64 everywhere (head dimension 64); a ResNet's attention pool has width·32/64 heads.
 *
 * @param isVit        ViT (true) or ModifiedResNet (false) image tower
 * @param visionWidth  ViT width; for a ResNet, its base width (layer1's first conv), as OpenAI's loader names it
 * @param visionLayers ViT transformer depth; 0 for a ResNet (see {@code resnetLayers})
 * @param visionHeads  ViT attention heads, or the ResNet attention pool's heads
 * @param patchSize    ViT patch size; 0 for a ResNet
 * @param imageSize    input resolution
 * @param gridSize     tokens per side: ViT patches per side, or the ResNet's final feature map side (image / 32)
 * @param resnetLayers Bottleneck blocks per stage (4 entries) for a ResNet; empty for a ViT
 * @param resnetWidth  the ResNet's base width; 0 for a ViT
 * @param embedDim     joint embedding dimension
 * @param contextLength text context (tokens)
 * @param vocabSize    text vocabulary size
 * @param textWidth    text transformer width
 * @param textHeads    text attention heads
 * @param textLayers   text transformer depth
 */
public record ClipArchitecture(boolean isVit, int visionWidth, int visionLayers, int visionHeads, int patchSize,
                               int imageSize, int gridSize, int[] resnetLayers, int resnetWidth, int embedDim,
                               int contextLength, int vocabSize, int textWidth, int textHeads, int textLayers) {
    private static final Pattern VISION_BLOCK = Pattern.compile("^visual\\..*\\.(\\d+)\\.attn\\.in_proj_weight$");
    private static final Pattern TEXT_BLOCK = Pattern.compile("^transformer\\.resblocks\\.(\\d+)\\.");

    /** OpenAI's released architectures (spec §3), to name an inferred one. */
    static final List<Named> KNOWN = List.of(
            resnet("RN50", new int[]{3, 4, 6, 3}, 64, 224, 1024, 512),
            resnet("RN101", new int[]{3, 4, 23, 3}, 64, 224, 512, 512),
            resnet("RN50x4", new int[]{4, 6, 10, 6}, 80, 288, 640, 640),
            resnet("RN50x16", new int[]{6, 8, 18, 8}, 96, 384, 768, 768),
            resnet("RN50x64", new int[]{3, 15, 36, 10}, 128, 448, 1024, 1024),
            vit("ViT-B-32", 768, 12, 32, 224, 512, 512),
            vit("ViT-B-16", 768, 12, 16, 224, 512, 512),
            vit("ViT-L-14", 1024, 24, 14, 224, 768, 768),
            vit("ViT-L-14-336", 1024, 24, 14, 336, 768, 768));

    record Named(String name, ClipArchitecture arch) {
    }

    public ClipArchitecture {
        resnetLayers = resnetLayers.clone();
    }

    @Override
    public int[] resnetLayers() {
        return resnetLayers.clone();
    }

    /** A released architecture by its open_clip name (ViT-B-32, RN50, ...). */
    public static java.util.Optional<ClipArchitecture> named(String name) {
        return KNOWN.stream().filter(k -> k.name.equals(name)).map(Named::arch).findFirst();
    }

    /** The names {@link #named} knows, in table order. */
    public static List<String> knownNames() {
        return KNOWN.stream().map(Named::name).toList();
    }

    /** The released model with exactly this architecture, or "custom". */
    public String name() {
        return KNOWN.stream().filter(k -> k.arch.equals(this)).map(Named::name).findFirst().orElse("custom");
    }

    /** Infers the architecture from tensor names and shapes; a state dict that is not CLIP is a UserException. */
    public static ClipArchitecture infer(StateDict sd) {
        int embed = dim(sd, "text_projection", 1);
        int context = dim(sd, "positional_embedding", 0);
        int vocab = dim(sd, "token_embedding.weight", 0);
        int textWidth = dim(sd, "ln_final.weight", 0);
        int textLayers = distinct(sd, TEXT_BLOCK, 1);
        if (textLayers == 0) throw notClip("no transformer.resblocks.* text blocks");
        int textHeads = heads(textWidth, "text width");
        if (sd.contains("visual.proj")) {
            int width = dim(sd, "visual.conv1.weight", 0);
            int patch = dim(sd, "visual.conv1.weight", 3);
            int layers = distinct(sd, VISION_BLOCK, 1);
            int grid = grid(dim(sd, "visual.positional_embedding", 0));
            return new ClipArchitecture(true, width, layers, heads(width, "vision width"), patch, patch * grid, grid,
                    new int[0], 0, embed, context, vocab, textWidth, textHeads, textLayers);
        }
        int[] stages = new int[4];
        for (int s = 1; s <= 4; s++) {
            Pattern stage = Pattern.compile("^visual\\.layer" + s + "\\.(\\d+)\\.");
            stages[s - 1] = distinct(sd, stage, 1);
            if (stages[s - 1] == 0) throw notClip("no visual.layer" + s + " blocks (neither ViT nor ResNet)");
        }
        int width = dim(sd, "visual.layer1.0.conv1.weight", 0);
        int grid = grid(dim(sd, "visual.attnpool.positional_embedding", 0));
        int heads = width * 32 / 64;
        if (heads < 1) throw notClip("ResNet width " + width + " is too small");
        return new ClipArchitecture(false, width, 0, heads, 0, 32 * grid, grid, stages, width, embed, context, vocab,
                textWidth, textHeads, textLayers);
    }

    /** The side of a square token grid from a positional embedding's rows (grid² + 1 with the class token). */
    private static int grid(int rows) {
        int g = (int) Math.round(Math.sqrt(rows - 1));
        if (g < 1 || g * g + 1 != rows) throw notClip("positional embedding of " + rows + " rows is not a square grid + 1");
        return g;
    }

    private static int heads(int width, String what) {
        if (width < 64 || width % 64 != 0) throw notClip(what + " " + width + " is not a multiple of 64 (head size)");
        return width / 64;
    }

    private static int dim(StateDict sd, String name, int axis) {
        HostTensor t = sd.get(name);
        if (t == null) throw notClip("missing " + name);
        int[] s = t.shape();
        if (axis >= s.length) throw notClip(name + " has shape " + Arrays.toString(s));
        return s[axis];
    }

    /** The number of distinct values of {@code group} among names matching {@code p}. */
    private static int distinct(StateDict sd, Pattern p, int group) {
        TreeSet<String> seen = new TreeSet<>();
        for (String n : sd.names()) {
            Matcher m = p.matcher(n);
            if (m.find()) seen.add(m.group(group));
        }
        return seen.size();
    }

    private static UserException notClip(String why) {
        return new UserException("not a CLIP state dict: " + why);
    }

    private static Named vit(String name, int width, int layers, int patch, int image, int embed, int textWidth) {
        return new Named(name, new ClipArchitecture(true, width, layers, width / 64, patch, image, image / patch,
                new int[0], 0, embed, 77, 49408, textWidth, textWidth / 64, 12));
    }

    private static Named resnet(String name, int[] layers, int width, int image, int embed, int textWidth) {
        return new Named(name, new ClipArchitecture(false, width, 0, width * 32 / 64, 0, image, image / 32,
                layers, width, embed, 77, 49408, textWidth, textWidth / 64, 12));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ClipArchitecture a && isVit == a.isVit && visionWidth == a.visionWidth
                && visionLayers == a.visionLayers && visionHeads == a.visionHeads && patchSize == a.patchSize
                && imageSize == a.imageSize && gridSize == a.gridSize && Arrays.equals(resnetLayers, a.resnetLayers)
                && resnetWidth == a.resnetWidth && embedDim == a.embedDim && contextLength == a.contextLength
                && vocabSize == a.vocabSize && textWidth == a.textWidth && textHeads == a.textHeads
                && textLayers == a.textLayers;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(resnetLayers) + java.util.Objects.hash(isVit, visionWidth, visionLayers,
                imageSize, embedDim, textWidth, textLayers);
    }

    @Override
    public String toString() {
        String vision = isVit
                ? "ViT width " + visionWidth + ", " + visionLayers + " layers, " + visionHeads + " heads, patch " + patchSize
                : "ResNet " + Arrays.toString(resnetLayers) + " width " + resnetWidth + ", attnpool heads " + visionHeads;
        return name() + " (" + vision + ", image " + imageSize + ", grid " + gridSize + ", embed " + embedDim
                + "; text width " + textWidth + ", " + textHeads + " heads, " + textLayers + " layers, context "
                + contextLength + ", vocab " + vocabSize + ")";
    }
}
