package org.parclip.cli;

import org.parclip.io.Checkpoints;
import org.parclip.io.ClipArchitecture;
import org.parclip.io.HostTensor;
import org.parclip.io.Json;
import org.parclip.io.StateDict;
import org.parclip.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code par info}: what a checkpoint holds, without loading a model. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show a checkpoint's detected format, CLIP architecture, parameter count and dtypes.")
public final class InfoCommand implements Callable<Integer> {
    /** BatchNorm statistics are state-dict entries but not trainable parameters. */
    private static final List<String> BUFFER_SUFFIXES = List.of("running_mean", "running_var", "num_batches_tracked");

    @Parameters(index = "0", paramLabel = "FILE", description = "checkpoint to inspect")
    Path file;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Override
    public Integer call() throws Exception {
        StateDict sd = Checkpoints.read(file);
        long params = 0;
        Map<DType, long[]> dtypes = new TreeMap<>();
        for (Map.Entry<String, HostTensor> e : sd.tensors().entrySet()) {
            HostTensor t = e.getValue();
            if (BUFFER_SUFFIXES.stream().noneMatch(e.getKey()::endsWith)) params += t.numel();
            long[] c = dtypes.computeIfAbsent(t.dtype(), d -> new long[2]);
            c[0]++;
            c[1] += t.numel();
        }
        ClipArchitecture arch = null;
        String archError = null;
        try {
            arch = ClipArchitecture.infer(sd);
        } catch (UserException e) {
            archError = e.getMessage();
        }
        if (json) System.out.println(Json.write(asJson(sd, params, dtypes, arch, archError)));
        else {
            System.out.println("file:         " + file);
            System.out.println("format:       " + sd.format());
            System.out.println("architecture: " + (arch != null ? arch : archError));
            System.out.println("tensors:      " + sd.size());
            System.out.printf("parameters:   %,d%n", params);
            dtypes.forEach((d, c) -> System.out.printf("dtype %-6s  %d tensors, %,d values%n", d, c[0], c[1]));
            sd.metadata().forEach((k, v) -> System.out.println("metadata:     " + k + " = " + v));
        }
        return 0;
    }

    private Map<String, Object> asJson(StateDict sd, long params, Map<DType, long[]> dtypes, ClipArchitecture arch,
                                       String archError) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("file", file.toString());
        o.put("format", sd.format());
        o.put("tensors", (long) sd.size());
        o.put("parameters", params);
        Map<String, Object> dt = new LinkedHashMap<>();
        dtypes.forEach((d, c) -> dt.put(d.name(), Map.of("tensors", c[0], "values", c[1])));
        o.put("dtypes", dt);
        if (arch == null) {
            o.put("architecture", null);
            o.put("architecture_error", archError);
        } else {
            Map<String, Object> a = new LinkedHashMap<>();
            a.put("name", arch.name());
            a.put("vit", arch.isVit());
            a.put("vision_width", (long) arch.visionWidth());
            a.put("vision_layers", (long) arch.visionLayers());
            a.put("vision_heads", (long) arch.visionHeads());
            a.put("patch_size", (long) arch.patchSize());
            a.put("image_size", (long) arch.imageSize());
            a.put("grid_size", (long) arch.gridSize());
            a.put("resnet_layers", Arrays.stream(arch.resnetLayers()).mapToObj(i -> (Object) (long) i).toList());
            a.put("resnet_width", (long) arch.resnetWidth());
            a.put("embed_dim", (long) arch.embedDim());
            a.put("context_length", (long) arch.contextLength());
            a.put("vocab_size", (long) arch.vocabSize());
            a.put("text_width", (long) arch.textWidth());
            a.put("text_heads", (long) arch.textHeads());
            a.put("text_layers", (long) arch.textLayers());
            o.put("architecture", a);
        }
        o.put("metadata", new LinkedHashMap<>(sd.metadata()));
        return o;
    }
}
