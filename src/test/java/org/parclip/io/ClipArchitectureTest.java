package org.parclip.io;

import org.junit.jupiter.api.Test;
import org.parclip.cli.UserException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClipArchitectureTest {
    @Test
    void infersTheTinyViTFixture() throws Exception {
        ClipArchitecture a = ClipArchitecture.infer(Checkpoints.read(Fixtures.ROOT.resolve("fixture-vit/model.pt")));
        assertTrue(a.isVit());
        assertEquals(128, a.visionWidth());
        assertEquals(2, a.visionLayers());
        assertEquals(2, a.visionHeads());
        assertEquals(8, a.patchSize());
        assertEquals(4, a.gridSize());
        assertEquals(32, a.imageSize());
        assertEquals(64, a.embedDim());
        assertEquals(77, a.contextLength());
        assertEquals(1000, a.vocabSize());
        assertEquals(128, a.textWidth());
        assertEquals(2, a.textHeads());
        assertEquals(2, a.textLayers());
        assertArrayEquals(new int[0], a.resnetLayers());
        assertEquals("custom", a.name());
    }

    @Test
    void infersTheTinyResNetFixture() throws Exception {
        ClipArchitecture a = ClipArchitecture.infer(Checkpoints.read(Fixtures.ROOT.resolve("fixture-rn/model_jit.pt")));
        assertFalse(a.isVit());
        assertArrayEquals(new int[]{1, 1, 1, 1}, a.resnetLayers());
        assertEquals(8, a.resnetWidth());
        assertEquals(8, a.visionWidth());
        assertEquals(4, a.visionHeads(), "attnpool heads = width * 32 / 64");
        assertEquals(2, a.gridSize());
        assertEquals(64, a.imageSize());
        assertEquals(64, a.embedDim());
        assertEquals(2, a.textHeads());
    }

    @Test
    void namesTheReleasedArchitectures() {
        for (ClipArchitecture.Named k : ClipArchitecture.KNOWN) assertEquals(k.name(), k.arch().name());
        ClipArchitecture b32 = ClipArchitecture.KNOWN.get(5).arch();
        assertEquals("ViT-B-32", b32.name());
        assertEquals(7, b32.gridSize());
        assertEquals(12, b32.visionHeads());
        assertEquals(64, ClipArchitecture.KNOWN.get(4).arch().visionHeads(), "RN50x64 attnpool heads = 128 * 32 / 64");
        assertEquals("ViT-L-14-336", ClipArchitecture.KNOWN.get(8).arch().name());
        assertEquals(24, ClipArchitecture.KNOWN.get(8).arch().gridSize());
    }

    @Test
    void aStateDictThatIsNotClipIsAUserError() throws Exception {
        StateDict mixed = Checkpoints.read(Fixtures.checkpoint("mixed.pt"));
        assertTrue(assertThrows(UserException.class, () -> ClipArchitecture.infer(mixed)).getMessage()
                .startsWith("not a CLIP state dict"));
    }
}
