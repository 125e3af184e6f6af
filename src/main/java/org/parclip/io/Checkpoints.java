package org.parclip.io;

import org.parclip.cli.UserException;
import org.parclip.io.Unpickler.TensorRef;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads the CLIP checkpoints users bring (spec §4), whatever the file name says, by looking at the content: torch.save
 * zip archives and legacy streams (plain state dicts, or training checkpoints whose "state_dict" entry is taken and
 * whose DistributedDataParallel "module." prefixes are stripped), TorchScript archives (OpenAI's releases),
 * safetensors, and Hugging Face CLIPModel weights in either container, renamed to OpenAI/open_clip names.
 * Tensors keep their stored dtype (an fp16 release stays F16) and are slices of the memory-mapped file.
 */
public final class Checkpoints {
    /** Entries OpenAI's TorchScript models carry beside the weights; OpenAI's own loader deletes them too. */
    private static final Set<String> NOT_WEIGHTS = Set.of("input_resolution", "context_length", "vocab_size");
    private static final String DDP_PREFIX = "module.";
    /** Weight files a model directory may hold (Hugging Face and open_clip hub layouts), in order of preference. */
    private static final List<String> DIRECTORY_WEIGHTS =
            List.of("model.safetensors", "open_clip_pytorch_model.bin", "pytorch_model.bin");

    private Checkpoints() {
    }

    /** Reads a checkpoint file, or the weights file of a Hugging Face / open_clip model directory. */
    public static StateDict read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            Path weights = DIRECTORY_WEIGHTS.stream().map(path::resolve).filter(Files::isRegularFile).findFirst()
                    .orElseThrow(() -> new UserException(path + " is a directory without any of "
                            + String.join(", ", DIRECTORY_WEIGHTS)));
            return read(weights);
        }
        return read(MappedFiles.map(path), path.getFileName().toString());
    }

    static StateDict read(MemorySegment seg, String what) {
        return normalize(readRaw(seg, what));
    }

    private static StateDict readRaw(MemorySegment seg, String what) {
        if (ZipArchive.looksLikeZip(seg)) {
            ZipArchive zip = ZipArchive.open(seg, what);
            if (!zip.entries().isEmpty() && zip.entries().keySet().stream().allMatch(n -> n.endsWith(".npy")))
                throw new UserException(what + " is a NumPy .npz archive, not a checkpoint");
            String prefix = TorchFiles.archivePrefix(zip, what);
            if (TorchScript.isTorchScript(zip, prefix)) return TorchScript.read(zip, prefix, what, seg.byteSize());
            return fromPickle(TorchFiles.loadZip(zip, what, seg.byteSize()), "torch-zip", what);
        }
        // Safetensors first: its header length may well start with the byte 0x80 that marks a pickle.
        if (Safetensors.looksLikeSafetensors(seg)) return Safetensors.read(seg, what);
        if (TorchFiles.looksLikeLegacy(seg)) return fromPickle(TorchFiles.loadLegacy(seg, what), "torch-legacy", what);
        throw new UserException(what + " is not a recognised checkpoint (expected a PyTorch .pt/.pth/.bin, "
                + "TorchScript or safetensors file)");
    }

    /** A plain state dict, or a training checkpoint's "state_dict" entry (its epoch kept as metadata). */
    private static StateDict fromPickle(TorchFiles.Loaded loaded, String format, String what) {
        if (!(loaded.root instanceof Map<?, ?> root))
            throw new UserException(what + " holds a " + TorchFiles.Loaded.typeName(loaded.root) + ", not a state dict");
        StateDict sd = new StateDict(format);
        Map<?, ?> weights = root;
        if (root.get("state_dict") instanceof Map<?, ?> inner) {
            weights = inner;
            if (root.get("epoch") instanceof Long epoch) sd.metadata().put("epoch", epoch.toString());
        }
        for (Map.Entry<?, ?> e : weights.entrySet()) {
            if (e.getKey() instanceof String name && e.getValue() instanceof TensorRef t) {
                sd.put(name, loaded.tensor(t, name));
                continue;
            }
            String keys = root.keySet().stream().limit(8).map(String::valueOf).collect(Collectors.joining(", "));
            throw new UserException(what + " is not a state dict: entry " + e.getKey() + " is a "
                    + TorchFiles.Loaded.typeName(e.getValue()) + " (top-level keys: " + keys
                    + "); a training checkpoint needs its weights under \"state_dict\"");
        }
        return sd;
    }

    /** OpenAI names: HF renamed, DDP prefixes stripped, non-weight entries dropped. */
    private static StateDict normalize(StateDict raw) {
        StateDict sd = HfClip.isHf(raw) ? HfClip.toOpenAi(raw) : raw;
        StateDict out = new StateDict(sd.format());
        out.metadata().putAll(sd.metadata());
        for (Map.Entry<String, HostTensor> e : sd.tensors().entrySet()) {
            String name = e.getKey().startsWith(DDP_PREFIX) ? e.getKey().substring(DDP_PREFIX.length()) : e.getKey();
            if (NOT_WEIGHTS.contains(name)) continue;
            if (out.contains(name)) throw new UserException("checkpoint has " + name + " twice (with and without "
                    + "the \"module.\" prefix)");
            out.put(name, e.getValue());
        }
        if (out.size() == 0) throw new UserException("checkpoint holds no tensors");
        return out;
    }
}
