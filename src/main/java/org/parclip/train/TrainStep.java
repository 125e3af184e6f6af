package org.parclip.train;

import org.parclip.model.ClipModel;
import org.parclip.tensor.Tensor;

/**
 * One forward and backward pass of the cleaning objective: the frozen teacher (eval mode) and the student (train
 * mode) see the same pixels and tokens; the student's parameter gradients accumulate. The optimiser step is
 * separate, so micro-batches can accumulate before it.
 */
public final class TrainStep {
    private final ClipModel student;
    private final ClipModel teacher;
    private final LossKind kind;
    private final double tau;
    private final ParLoss loss;

    /** teacher may be null for the CLIP loss (FT); PAR needs one. */
    public TrainStep(ClipModel student, ClipModel teacher, LossKind kind, double tau) {
        if (kind == LossKind.PAR && teacher == null) throw new IllegalArgumentException("PAR needs a teacher");
        if (kind == LossKind.CLEANCLIP)
            throw new UnsupportedOperationException("CleanCLIP needs augmented views; use the trainer's CleanCLIP step");
        this.student = student;
        this.teacher = kind == LossKind.PAR ? teacher : null;
        this.kind = kind;
        this.tau = tau;
        this.loss = new ParLoss(student.backend());
    }

    /** pixels [n, 3, s, s] (normalised), tokens [n, context]; returns the loss parts. */
    public LossParts forwardBackward(Tensor pixels, int[] tokens) {
        int n = pixels.dim(0);
        Tensor teacherImg = null, teacherTxt = null;
        if (teacher != null) {
            teacher.setTraining(false);
            teacherImg = teacher.encodeImage(pixels);
            teacherTxt = teacher.encodeText(tokens, n);
        }
        student.setTraining(true);
        Tensor img = student.encodeImage(pixels);
        Tensor txt = student.encodeText(tokens, n);
        LossParts parts = loss.compute(img, txt, teacherImg, teacherTxt, student.logitScale(), tau);
        student.backwardImage(loss.imageGrad());
        student.backwardText(loss.textGrad());
        return parts;
    }

    public LossKind kind() {
        return kind;
    }
}
