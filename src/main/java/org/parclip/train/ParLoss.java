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
    private Tensor nImg, nTxt, nTeacherImg, nTeacherTxt;
    private Tensor normImg, normTxt, normTeacherImg, normTeacherTxt;
    private Tensor dnImg, dnTxt;
    private Tensor dImg, dTxt;

    public ParLoss(Backend be) {
        this.be = be;
    }

    /**
     * Computes the loss for student features (unnormalised, [n, e]) and, with a teacher, the teacher's; leaves the
     * gradients with respect to the student's unnormalised features in {@link #imageGrad()} / {@link #textGrad()}.
     * teacherImg/teacherTxt null means the CLIP loss alone.
     */
    public LossParts compute(Tensor img, Tensor txt, Tensor teacherImg, Tensor teacherTxt, float logitScale, double tau) {
        int n = img.dim(0), e = img.dim(1);
        normaliseStudent(img, txt);
        Backend.ContrastiveResult clip = be.contrastiveLoss(nImg, nTxt, logitScale, dnImg, dnTxt, 1f);

        double distImg = Double.NaN, distTxt = Double.NaN, total = clip.loss();
        if (teacherImg != null) {
            nTeacherImg = be.reuse(nTeacherImg, n, e);
            normTeacherImg = be.reuse(normTeacherImg, n);
            be.l2NormalizeForward(teacherImg, nTeacherImg, normTeacherImg);
            nTeacherTxt = be.reuse(nTeacherTxt, n, e);
            normTeacherTxt = be.reuse(normTeacherTxt, n);
            be.l2NormalizeForward(teacherTxt, nTeacherTxt, normTeacherTxt);
            distImg = be.squaredDistanceMean(nImg, nTeacherImg, null, 0f);
            distTxt = be.squaredDistanceMean(nTxt, nTeacherTxt, null, 0f);
            if (distImg <= tau) {
                total -= 0.5 * distImg;
                be.squaredDistanceMean(nImg, nTeacherImg, dnImg, -0.5f);
            }
            if (distTxt <= tau) {
                total -= 0.5 * distTxt;
                be.squaredDistanceMean(nTxt, nTeacherTxt, dnTxt, -0.5f);
            }
        }
        backToFeatures();
        return new LossParts(clip.loss(), distImg, distTxt, total, clip.correct(), n);
    }

    /**
     * CleanCLIP (spec §1, lambda = 1): img and txt hold 2n rows, the first n the pairs and the last n their
     * augmented views; L = CLIP(img, txt) + 0.5 * (InfoNCE(img, img') + InfoNCE(txt, txt')).
     */
    public LossParts computeCleanClip(Tensor img, Tensor txt, float logitScale) {
        int n = img.dim(0) / 2;
        normaliseStudent(img, txt);
        Tensor i0 = nImg.slice(0, n), i1 = nImg.slice(n, 2 * n), t0 = nTxt.slice(0, n), t1 = nTxt.slice(n, 2 * n);
        Tensor di0 = dnImg.slice(0, n), di1 = dnImg.slice(n, 2 * n), dt0 = dnTxt.slice(0, n), dt1 = dnTxt.slice(n, 2 * n);
        Backend.ContrastiveResult clip = be.contrastiveLoss(i0, t0, logitScale, di0, dt0, 1f);
        Backend.ContrastiveResult inImg = be.contrastiveLoss(i0, i1, logitScale, di0, di1, 0.5f);
        Backend.ContrastiveResult inTxt = be.contrastiveLoss(t0, t1, logitScale, dt0, dt1, 0.5f);
        backToFeatures();
        double total = clip.loss() + 0.5 * (inImg.loss() + inTxt.loss());
        return new LossParts(clip.loss(), Double.NaN, Double.NaN, total, clip.correct(), n);
    }

    private void normaliseStudent(Tensor img, Tensor txt) {
        int n = img.dim(0), e = img.dim(1);
        nImg = be.reuse(nImg, n, e);
        normImg = be.reuse(normImg, n);
        be.l2NormalizeForward(img, nImg, normImg);
        nTxt = be.reuse(nTxt, n, e);
        normTxt = be.reuse(normTxt, n);
        be.l2NormalizeForward(txt, nTxt, normTxt);
        dnImg = be.reuse(dnImg, n, e);
        dnTxt = be.reuse(dnTxt, n, e);
        be.fill(dnImg, 0f);
        be.fill(dnTxt, 0f);
    }

    /** Gradients with respect to the normalised embeddings, carried back through the normalisation. */
    private void backToFeatures() {
        int n = nImg.dim(0), e = nImg.dim(1);
        dImg = be.reuse(dImg, n, e);
        dTxt = be.reuse(dTxt, n, e);
        be.l2NormalizeBackward(dnImg, nImg, normImg, dImg, false);
        be.l2NormalizeBackward(dnTxt, nTxt, normTxt, dTxt, false);
    }

    /** d loss / d student image features from the last {@link #compute}. */
    public Tensor imageGrad() {
        return dImg;
    }

    /** d loss / d student text features from the last {@link #compute}. */
    public Tensor textGrad() {
        return dTxt;
    }
}
