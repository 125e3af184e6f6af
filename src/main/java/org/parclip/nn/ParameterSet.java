package org.parclip.nn;

import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's parameters and buffers by state-dict name, in registration order (which follows the checkpoints).
 * Buffers (BatchNorm running statistics) are saved and loaded but never trained.
 */
public final class ParameterSet {
    private final Backend backend;
    private final LinkedHashMap<String, Parameter> parameters = new LinkedHashMap<>();
    private final LinkedHashMap<String, Parameter> buffers = new LinkedHashMap<>();

    public ParameterSet(Backend backend) {
        this.backend = backend;
    }

    public Backend backend() {
        return backend;
    }

    /** Registers a new zero-filled parameter. */
    public Parameter parameter(String name, int... shape) {
        return register(parameters, name, DType.F32, shape);
    }

    /** Registers a new zero-filled buffer (saved with the model, not trained). */
    public Parameter buffer(String name, int... shape) {
        return register(buffers, name, DType.F32, shape);
    }

    /** Registers a zero scalar buffer that PyTorch stores as int64 (BatchNorm's num_batches_tracked). */
    public Parameter counter(String name) {
        return register(buffers, name, DType.I64);
    }

    private Parameter register(Map<String, Parameter> into, String name, DType fileType, int... shape) {
        if (parameters.containsKey(name) || buffers.containsKey(name))
            throw new IllegalStateException("duplicate parameter " + name);
        Parameter p = new Parameter(name, backend.allocate(shape), fileType);
        into.put(name, p);
        return p;
    }

    public Collection<Parameter> parameters() {
        return Collections.unmodifiableCollection(parameters.values());
    }

    public Collection<Parameter> buffers() {
        return Collections.unmodifiableCollection(buffers.values());
    }

    /** Parameter or buffer by name, or null. */
    public Parameter get(String name) {
        Parameter p = parameters.get(name);
        return p != null ? p : buffers.get(name);
    }

    public void zeroGrad() {
        for (Parameter p : parameters.values()) p.zeroGrad(backend);
    }

    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters.values()) n += p.value().numel();
        return n;
    }
}
