package org.parclip.train;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/**
 * L_PAR = L_CLIP(student) - 0.5 * (T(d_img) + T(d_txt)), T(d) = d when d <= tau else 0 (spec §1), and the plain
 * CLIP loss when there is no teacher. All embeddings are L2-normalised first; the logit scale is a constant.
 * The thresholds apply to batch means, so a term above tau contributes neither value nor gradient.
 */
public final class ParLoss {
    private final Backend be;
    private final Normalised img, txt, teacherImg, teacherTxt;

    public ParLoss(Backend be) {
        this.be = be;
        this.img = new Normalised();
        this.txt = new Normalised();
        this.teacherImg = new Normalised();
        this.teacherTxt = new Normalised();
    }

    /**
     * Computes the loss for student features (unnormalised, [n, e]) and, with a teacher, the teacher's; leaves the
     * gradients with respect to the student's unnormalised features in {@link #imageGrad()} / {@link #textGrad()}.
     * teacherImgFeatures/teacherTxtFeatures null means the CLIP loss alone.
     */
    public LossParts compute(Tensor imgFeatures, Tensor txtFeatures, Tensor teacherImgFeatures,
                             Tensor teacherTxtFeatures, float logitScale, double tau) {
        img.forward(imgFeatures);
        txt.forward(txtFeatures);
        Backend.ContrastiveResult clip = be.contrastiveLoss(img.out, txt.out, logitScale, img.grad, txt.grad, 1f);
        double distImg = Double.NaN, distTxt = Double.NaN, total = clip.loss();
        if (teacherImgFeatures != null) {
            teacherImg.forward(teacherImgFeatures);
            teacherTxt.forward(teacherTxtFeatures);
            distImg = be.squaredDistanceMean(img.out, teacherImg.out, null, 0f);
            distTxt = be.squaredDistanceMean(txt.out, teacherTxt.out, null, 0f);
            total -= 0.5 * (pushAway(img, teacherImg, distImg, tau) + pushAway(txt, teacherTxt, distTxt, tau));
        }
        img.backward();
        txt.backward();
        return new LossParts(clip.loss(), distImg, distTxt, total, clip.correct(), imgFeatures.dim(0));
    }

    /** T(d): adds d's gradient (weighted -0.5) to the student's when d <= tau, and returns T(d). */
    private double pushAway(Normalised student, Normalised teacher, double distance, double tau) {
        if (!(distance <= tau)) return 0;
        be.squaredDistanceMean(student.out, teacher.out, student.grad, -0.5f);
        return distance;
    }

    /**
     * CleanCLIP (spec §1, lambda = 1): imgFeatures and txtFeatures hold 2n rows, the first n the pairs and the
     * last n their augmented views; L = CLIP(img, txt) + 0.5 * (InfoNCE(img, img') + InfoNCE(txt, txt')).
     */
    public LossParts computeCleanClip(Tensor imgFeatures, Tensor txtFeatures, float logitScale) {
        int n = imgFeatures.dim(0) / 2;
        img.forward(imgFeatures);
        txt.forward(txtFeatures);
        Tensor i0 = img.out.slice(0, n), i1 = img.out.slice(n, 2 * n), t0 = txt.out.slice(0, n), t1 = txt.out.slice(n, 2 * n);
        Tensor di0 = img.grad.slice(0, n), di1 = img.grad.slice(n, 2 * n), dt0 = txt.grad.slice(0, n), dt1 = txt.grad.slice(n, 2 * n);
        Backend.ContrastiveResult clip = be.contrastiveLoss(i0, t0, logitScale, di0, dt0, 1f);
        Backend.ContrastiveResult inImg = be.contrastiveLoss(i0, i1, logitScale, di0, di1, 0.5f);
        Backend.ContrastiveResult inTxt = be.contrastiveLoss(t0, t1, logitScale, dt0, dt1, 0.5f);
        img.backward();
        txt.backward();
        double total = clip.loss() + 0.5 * (inImg.loss() + inTxt.loss());
        return new LossParts(clip.loss(), Double.NaN, Double.NaN, total, clip.correct(), n);
    }

    /** d loss / d student image features from the last computation. */
    public Tensor imageGrad() {
        return img.dx;
    }

    /** d loss / d student text features from the last computation. */
    public Tensor textGrad() {
        return txt.dx;
    }

    /** One batch of embeddings normalised, with the gradient at the normalised embeddings and at the input. */
    private final class Normalised {
        Tensor out, norms, grad, dx;

        void forward(Tensor x) {
            int n = x.dim(0), e = x.dim(1);
            out = be.reuse(out, n, e);
            norms = be.reuse(norms, n);
            be.l2NormalizeForward(x, out, norms);
            grad = be.reuse(grad, n, e);
            be.fill(grad, 0f);
        }

        void backward() {
            dx = be.reuse(dx, out.dim(0), out.dim(1));
            be.l2NormalizeBackward(grad, out, norms, dx, false);
        }
    }
}
