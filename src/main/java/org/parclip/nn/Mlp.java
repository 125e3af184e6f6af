package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

/** CLIP's MLP: c_fc [4w, w] -> QuickGELU -> c_proj [w, 4w]. */
public final class Mlp {
    private final Backend be;
    public final Linear fc;
    public final Linear proj;
    private Tensor hidden;   // gelu(fc(x)), the input of c_proj
    private Tensor dHidden;

    public Mlp(ParameterSet ps, String prefix, int width, int hiddenWidth) {
        this.be = ps.backend();
        this.fc = Linear.named(ps, prefix + ".c_fc", width, hiddenWidth);
        this.proj = Linear.named(ps, prefix + ".c_proj", hiddenWidth, width);
    }

    public Tensor forward(Tensor x) {
        Tensor pre = fc.forward(x);
        hidden = be.reuse(hidden, pre.rows(), pre.cols());
        be.quickGeluForward(pre, hidden);
        return proj.forward(hidden);
    }

    public void backward(Tensor dy, Tensor dx, boolean accumulate) {
        dHidden = be.reuse(dHidden, hidden.rows(), hidden.cols());
        proj.backward(dy, dHidden, false);
        be.quickGeluBackward(fc.lastOutput(), dHidden, dHidden);
        fc.backward(dHidden, dx, accumulate);
    }
}
