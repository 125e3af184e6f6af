package org.parclip.data.synth;

import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PngTest {
    @Test
    void imageIoDecodesExactlyThePixelsEncoded() throws IOException {
        Png png = new Png();
        SplittableRandom r = new SplittableRandom(5);
        for (int[] wh : new int[][]{{1, 1}, {13, 9}, {32, 32}, {200, 3}}) {
            int w = wh[0], h = wh[1];
            int[] rgb = new int[w * h];
            for (int i = 0; i < rgb.length; i++) rgb[i] = r.nextInt(1 << 24);
            byte[] bytes = png.encode(rgb, w, h);
            assertArrayEquals(bytes, new Png().encode(rgb, w, h), "deterministic");
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(bytes));
            assertEquals(w, img.getWidth());
            assertEquals(h, img.getHeight());
            int[] back = new int[w * h];
            for (int i = 0; i < back.length; i++) back[i] = img.getRGB(i % w, i / w) & 0xFFFFFF;
            assertArrayEquals(rgb, back, w + "x" + h);
        }
    }
}
