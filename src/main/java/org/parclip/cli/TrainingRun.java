package org.parclip.cli;

import org.parclip.data.Augment;
import org.parclip.data.CsvDataset;
import org.parclip.data.Loader;
import org.parclip.data.Preprocess;
import org.parclip.io.Safetensors;
import org.parclip.model.ClipModel;
import org.parclip.model.ModelSpecs;
import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.text.ClipTokenizer;
import org.parclip.train.CaptionBatchSource;
import org.parclip.train.LossKind;
import org.parclip.train.TrainConfig;
import org.parclip.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Wires a training run together for `par train` and `par clean`: model(s), data, trainer, final weights. */
final class TrainingRun {
    private TrainingRun() {
    }

    static void run(TrainConfig cfg, Path checkpoint, String modelSpec, TrainOptions opts, Integer samples,
                    EvalDuringTraining eval, BackendOptions backendOptions, String finalName) throws IOException {
        Inputs.requireFile(opts.trainData, "--train-data");
        Files.createDirectories(opts.outputDir);
        CsvDataset data = CsvDataset.read(opts.trainData, opts.imageRoot(), CsvDataset.Columns.DEFAULT);
        if (samples != null) {
            if (samples < 1) throw new UserException("--samples must be positive");
            data = data.sample(samples, cfg.seed());
        }
        try (Backend be = backendOptions.open()) {
            ClipModel student = checkpoint != null ? Inputs.loadModel(be, checkpoint)
                    : ClipModel.initialised(be, ModelSpecs.resolve(modelSpec), cfg.seed());
            ClipModel teacher = cfg.loss() == LossKind.PAR ? Inputs.loadModel(be, checkpoint) : null;
            int size = student.imageSize();
            Loader loader = Loader.builder(data, Preprocess.clip(size).withAugment(Augment.par()), size)
                    .batchSize(cfg.batchSize()).threads(opts.workers).shuffle(cfg.seed()).seed(cfg.seed())
                    .dropLast(true).build();
            System.err.printf("training on %d pairs from %s, batch %d, %s loss, %s backend%n", data.size(),
                    opts.trainData, cfg.batchSize(), cfg.loss().name().toLowerCase(), be.name());
            try (CaptionBatchSource source = new CaptionBatchSource(loader, data, ClipTokenizer.get(),
                    student.contextLength(), cfg.loss() == LossKind.CLEANCLIP ? cfg.seed() + 1 : null)) {
                Trainer trainer = new Trainer(cfg, student, teacher, source, opts.outputDir, eval.evaluator(size));
                trainer.run();
                if (loader.failures().count() > 0) System.err.println(loader.failures().summary());
            }
            Path out = opts.outputDir.resolve(finalName);
            Safetensors.write(out, student.toStateDict(), DType.F32,
                    Map.of("source_format", "parclip-" + cfg.loss().name().toLowerCase()));
            System.err.println("wrote " + out);
        }
    }
}
