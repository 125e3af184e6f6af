package org.parclip.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Decode + preprocess + PAR augmentation throughput at 224 px from 500x375 JPEGs (the size of typical CC3M/COCO
 * images). A measurement, not a check: run with -Dparclip.bench=true (and -Dparclip.bench.threads=N).
 */
@EnabledIfSystemProperty(named = "parclip.bench", matches = "true")
class LoaderThroughputTest {
    @TempDir
    Path dir;

    @Test
    void imagesPerSecond() throws IOException {
        int n = 500, threads = Integer.getInteger("parclip.bench.threads", 2);
        StringBuilder csv = new StringBuilder("image,caption\n");
        Random rnd = new Random(1);
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(500, 375, BufferedImage.TYPE_3BYTE_BGR);
            double fx = 5 + rnd.nextInt(40), fy = 5 + rnd.nextInt(40);
            for (int y = 0; y < 375; y++)
                for (int x = 0; x < 500; x++) {
                    int r = (int) (128 + 90 * Math.sin(x / fx + y / fy)) + rnd.nextInt(30);
                    int g = (int) (128 + 90 * Math.cos(x / fy)) + rnd.nextInt(30);
                    int b = (int) (128 + 60 * Math.sin(y / fx)) + rnd.nextInt(30);
                    img.setRGB(x, y, Math.clamp(r, 0, 255) << 16 | Math.clamp(g, 0, 255) << 8 | Math.clamp(b, 0, 255));
                }
            Path f = dir.resolve(i + ".jpg");
            try (ImageOutputStream out = ImageIO.createImageOutputStream(f.toFile())) {
                writer.setOutput(out);
                writer.write(null, new IIOImage(img, null, null), param);
            }
            csv.append(f).append(",a caption\n");
        }
        writer.dispose();
        CsvDataset data = CsvDataset.read(Files.writeString(dir.resolve("data.csv"), csv), null, CsvDataset.Columns.DEFAULT);
        SampleTransform transform = Preprocess.clip(224).withAugment(Augment.par());
        try (Loader loader = Loader.builder(data, transform, 224).batchSize(50).threads(threads).shuffle(0).build()) {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            for (int epoch = 0; epoch < 3; epoch++) { // the first epoch warms up the JIT
                long start = System.nanoTime(), cpu = os.getProcessCpuTime();
                int images = 0;
                for (var it = loader.epoch(epoch); it.hasNext(); ) images += it.next().size();
                double rate = images / ((System.nanoTime() - start) / 1e9);
                double cpuMs = (os.getProcessCpuTime() - cpu) / 1e6 / images;
                assertEquals(n, images);
                // On a shared machine the wall-clock rate depends on the neighbours; CPU time per image does not much.
                System.out.printf("epoch %d: %d images at 224 px on %d threads: %.0f images/s; %.2f CPU ms per image "
                        + "(%.0f images/s if %d cores were free)%n", epoch, images, threads, rate, cpuMs, threads * 1000 / cpuMs, threads);
            }
        }
    }
}
