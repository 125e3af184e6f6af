package org.parclip;

import org.parclip.cli.Main;
import org.parclip.cpu.CpuBackend;
import org.parclip.cpu.JavaSgemm;
import org.parclip.io.Safetensors;
import org.parclip.model.ClipModel;
import org.parclip.model.ModelSpecs;
import org.parclip.tensor.DType;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Small inputs the command-level tests share: a synthetic data set on disk and a tiny random CLIP checkpoint. */
public final class TestData {
    /** A ViT CLIP for the synthetic world's 32-pixel images, small enough for a test to train. */
    public static final String TINY_VIT = "vit:image=32,patch=8,width=64,layers=1,text_width=64,text_layers=1,embed=32";

    private TestData() {
    }

    /** `par synth` into {@code dir}: train.csv, eval.csv, classes.json, templates.json and the images. */
    public static Path world(Path dir, int size, int evalSize, long seed) {
        assertEquals(0, Main.execute("synth", "--output-dir", dir.toString(), "--size", Integer.toString(size),
                "--eval-size", Integer.toString(evalSize), "--seed", Long.toString(seed)));
        return dir;
    }

    /** A randomly initialised {@link #TINY_VIT} written as safetensors. */
    public static Path tinyCheckpoint(Path file, long seed) throws Exception {
        try (CpuBackend be = new CpuBackend(2, new JavaSgemm(2))) {
            Safetensors.write(file, ClipModel.initialised(be, ModelSpecs.resolve(TINY_VIT), seed).toStateDict(),
                    DType.F32, Map.of());
        }
        return file;
    }
}
