package org.parclip.io;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Named tensors under OpenAI/open_clip state-dict names, in file order, plus the format they were read from and
 * free-form metadata (safetensors' {@code __metadata__}).
 */
public final class StateDict {
    private final LinkedHashMap<String, HostTensor> tensors = new LinkedHashMap<>();
    private final LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
    private final String format;

    public StateDict(String format) {
        this.format = format;
    }

    /**
     * The detected source format: "torch-zip", "torch-legacy", "torchscript" or "safetensors", prefixed with "hf-"
     * when Hugging Face names were mapped (e.g. "hf-safetensors", "hf-torch-zip").
     */
    public String format() {
        return format;
    }

    public void put(String name, HostTensor t) {
        tensors.put(name, t);
    }

    public HostTensor get(String name) {
        return tensors.get(name);
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public Set<String> names() {
        return Collections.unmodifiableSet(tensors.keySet());
    }

    public Map<String, HostTensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public int size() {
        return tensors.size();
    }
}
