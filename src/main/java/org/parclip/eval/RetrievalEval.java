package org.parclip.eval;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.Preprocess;
import org.parclip.data.RetrievalDataset;
import org.parclip.io.Progress;
import org.parclip.model.ClipModel;
import org.parclip.model.Encoder;
import org.parclip.text.ClipTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image-text retrieval (spec §8, COCO 5k Karpathy test): recall@1/5/10 in both directions, and with an attack the
 * text-ASR: the share of triggered images whose top-5 captions contain the target word. Captions of images that
 * could not be read are left out, so every caption's image is among the candidates.
 */
public final class RetrievalEval {
    private RetrievalEval() {
    }

    public static Map<String, Object> evaluate(ClipModel model, RetrievalDataset data, Attack attack, String target,
                                               long seed, int workers, int batchSize) {
        int size = model.imageSize();
        Preprocess pre = Preprocess.clip(size);
        DecodedImages images = DecodedImages.decode(data, pre, size, seed, workers);
        int[] rowOf = new int[data.size()];
        Arrays.fill(rowOf, -1);
        for (int r = 0; r < images.count(); r++) rowOf[images.indices()[r]] = r;
        List<String> captions = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int c = 0; c < data.captions().size(); c++)
            if (rowOf[data.captionImage(c)] >= 0) {
                captions.add(data.captions().get(c));
                owners.add(rowOf[data.captionImage(c)]);
            }
        int[] captionImage = owners.stream().mapToInt(Integer::intValue).toArray();

        Encoder enc = new Encoder(model, batchSize, true);
        float[] img = enc.images(images.pixels(), images.count(), Progress.stderr("retrieval images", images.count()));
        int[] tokens = ClipTokenizer.get().tokenizeFlat(captions, model.contextLength());
        float[] txt = enc.texts(tokens, captions.size(), Progress.stderr("retrieval captions", captions.size()));

        Map<String, Object> out = new LinkedHashMap<>();
        out.put("retrieval_images", images.count());
        out.put("retrieval_captions", captions.size());
        for (int k : new int[]{1, 5, 10}) {
            double[] r = Metrics.recallAtK(img, images.count(), txt, captions.size(), captionImage, k);
            out.put("image_to_text_recall@" + k, r[0]);
            out.put("text_to_image_recall@" + k, r[1]);
        }
        if (attack != null) {
            DecodedImages trig = DecodedImages.decode(data, Attacks.triggered(attack, pre), size, seed, workers);
            float[] t = enc.images(trig.pixels(), trig.count(), Progress.silent());
            out.put("text_attack_success_rate", Metrics.textAsr(t, trig.count(), txt, captions.toArray(String[]::new), target));
        }
        return out;
    }
}
