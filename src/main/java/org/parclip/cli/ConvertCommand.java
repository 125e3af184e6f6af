package org.parclip.cli;

import org.parclip.io.Checkpoints;
import org.parclip.io.ClipArchitecture;
import org.parclip.io.HfExport;
import org.parclip.io.Safetensors;
import org.parclip.io.StateDict;
import org.parclip.tensor.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code par convert}: any supported checkpoint to open_clip-loadable safetensors or a Hugging Face directory. */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a CLIP checkpoint (torch.save, TorchScript, safetensors, Hugging Face) to safetensors "
                + "that open_clip loads (--format openclip, the default), or to a Hugging Face CLIPModel directory "
                + "with model.safetensors and config.json (--format hf, ViT models only)."})
public final class ConvertCommand implements Callable<Integer> {
    enum Format { openclip, hf }

    enum Precision {
        f32(DType.F32), f16(DType.F16), bf16(DType.BF16);

        final DType dtype;

        Precision(DType dtype) {
            this.dtype = dtype;
        }
    }

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "IN", description = "checkpoint to read")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT",
            description = "safetensors file (openclip) or directory (hf) to write")
    Path output;

    @Option(names = "--format", defaultValue = "openclip", paramLabel = "FORMAT",
            description = "openclip or hf (default: ${DEFAULT-VALUE})")
    Format format;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "DTYPE",
            description = "f32, f16 or bf16 for floating-point tensors, rounded to nearest even (default: ${DEFAULT-VALUE})")
    Precision dtype;

    @Override
    public Integer call() throws Exception {
        System.err.println("reading " + input);
        StateDict sd = Checkpoints.read(input);
        ClipArchitecture arch = ClipArchitecture.infer(sd);
        System.err.println("read " + sd.size() + " tensors (" + sd.format() + "): " + arch);
        System.err.println("writing " + output + " (" + format + ", " + dtype + ")");
        if (format == Format.hf) HfExport.write(output, sd, dtype.dtype);
        else Safetensors.write(output, sd, dtype.dtype, Map.of());
        System.err.println("done");
        return 0;
    }
}
