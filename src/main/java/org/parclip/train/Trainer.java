package org.parclip.train;

import org.parclip.cli.UserException;
import org.parclip.io.Json;
import org.parclip.io.Progress;
import org.parclip.model.ClipModel;
import org.parclip.nn.Parameter;
import org.parclip.tensor.Backend;
import org.parclip.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The training loop: batches from a {@link BatchSource}, the loss of a {@link TrainStep} (or CleanCLIP's),
 * gradient accumulation, optional clipping, AdamW on the reference schedule, metrics to stderr and metrics.jsonl,
 * atomic checkpoints every N steps and every epoch, and automatic resume from the output directory.
 * A run is a function of its configuration, data and thread count: a resumed run ends bitwise equal to an
 * uninterrupted one.
 */
public final class Trainer {
    /** Called every evalEvery steps and at the end; returns metrics to log (e.g. clean accuracy, ASR). */
    public interface Evaluator {
        Map<String, Object> evaluate(ClipModel student, long step);
    }

    private final TrainConfig cfg;
    private final ClipModel student;
    private final ClipModel teacher;
    private final BatchSource data;
    private final Path outputDir;
    private final Evaluator evaluator;
    private final Backend be;
    private final List<Parameter> params;
    private final AdamW optimizer;
    private final CheckpointStore checkpoints;
    private Tensor pixels;

    public Trainer(TrainConfig cfg, ClipModel student, ClipModel teacher, BatchSource data, Path outputDir,
                   Evaluator evaluator) {
        this.cfg = cfg;
        this.student = student;
        this.teacher = teacher;
        this.data = data;
        this.outputDir = outputDir;
        this.evaluator = evaluator;
        this.be = student.backend();
        this.params = student.trainableParameters();
        this.optimizer = new AdamW(be, params, cfg.beta1(), cfg.beta2(), cfg.eps(), cfg.weightDecay());
        this.checkpoints = new CheckpointStore(outputDir, 2);
    }

    public long stepsPerEpoch() {
        return data.batchesPerEpoch() / cfg.updateFreq();
    }

    public long totalSteps() {
        return Math.max(1, Math.round(cfg.epochs() * stepsPerEpoch()));
    }

    /**
     * After {@link #run()}, deletes all checkpoints but the last (which still marks the run complete for a resume):
     * each holds the model and two AdamW moments, so a long run's epoch checkpoints add up to gigabytes.
     */
    public void dropOlderCheckpoints() {
        checkpoints.dropAllButLatest();
    }

    /** Runs (or resumes) training to the end; returns the number of optimiser steps taken in total. */
    public long run() {
        long perEpoch = stepsPerEpoch();
        if (perEpoch < 1)
            throw new UserException("the data holds " + data.batchesPerEpoch() + " batches, fewer than one optimiser step ("
                    + cfg.updateFreq() + " batches of " + cfg.batchSize() + ")");
        long total = totalSteps();
        LrSchedule schedule = new LrSchedule(cfg.lrStart(), cfg.lr(), cfg.lrEnd(),
                Math.round(cfg.warmupEpochs() * perEpoch), total);
        long step = resume();
        Path metrics = outputDir.resolve("metrics.jsonl");
        truncateMetrics(metrics, step);

        TrainStep trainStep = cfg.loss() == LossKind.CLEANCLIP ? null : new TrainStep(student, teacher, cfg.loss(), cfg.tau());
        CleanClipStep cleanClip = cfg.loss() == LossKind.CLEANCLIP ? new CleanClipStep(student) : null;
        Progress progress = Progress.stderr("train", total);
        progress.resumeAt(step);
        long windowStart = System.nanoTime();
        int windowSamples = 0;
        while (step < total) {
            int epoch = (int) (step / perEpoch);
            data.startEpoch(epoch, (int) (step % perEpoch) * cfg.updateFreq());
            long epochEnd = Math.min(total, (epoch + 1) * perEpoch);
            while (step < epochEnd) {
                student.zeroGrad();
                double loss = 0, clip = 0, dImg = 0, dTxt = 0;
                int correct = 0, samples = 0;
                for (int micro = 0; micro < cfg.updateFreq(); micro++) {
                    Batch b = data.next();
                    if (b == null) throw new IllegalStateException("data ended before the epoch's last step");
                    LossParts p = cleanClip != null ? cleanClip.forwardBackward(b, student.logitScale())
                            : trainStep.forwardBackward(upload(b.pixels(), b.size()), b.tokens());
                    loss += p.totalLoss();
                    clip += p.clipLoss();
                    dImg += p.imageDistance();
                    dTxt += p.textDistance();
                    correct += p.correct();
                    samples += p.batch();
                }
                float gradScale = 1f / cfg.updateFreq();
                double norm = optimizer.gradNorm(gradScale);
                if (cfg.clipGradNorm() > 0 && norm > cfg.clipGradNorm())
                    gradScale *= (float) (cfg.clipGradNorm() / (norm + 1e-6));
                double lr = schedule.at(step);
                optimizer.step(lr, gradScale);
                step++;
                windowSamples += samples;
                progress.status(String.format(Locale.ROOT, "loss %.4f lr %.2e", loss / cfg.updateFreq(), lr));
                progress.advance(1);

                boolean log = step % Math.max(1, cfg.logEvery()) == 0 || step == total;
                boolean eval = evaluator != null
                        && (step == total || (cfg.evalEvery() > 0 && step % cfg.evalEvery() == 0));
                if (log || eval) {
                    double secs = (System.nanoTime() - windowStart) / 1e9;
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("step", step);
                    m.put("epoch", step / (double) perEpoch);
                    m.put("lr", lr);
                    m.put("total_loss", loss / cfg.updateFreq());
                    m.put("clip_loss", clip / cfg.updateFreq());
                    if (cfg.loss() == LossKind.PAR) {
                        m.put("image_distance", dImg / cfg.updateFreq());
                        m.put("text_distance", dTxt / cfg.updateFreq());
                    }
                    m.put("accuracy", correct / (double) samples);
                    m.put("grad_norm", norm);
                    m.put("samples_per_second", windowSamples / Math.max(secs, 1e-9));
                    if (eval) m.putAll(evaluator.evaluate(student, step));
                    appendLine(metrics, Json.write(m));
                    windowStart = System.nanoTime();
                    windowSamples = 0;
                }
                boolean epochDone = step == epochEnd && step % perEpoch == 0;
                if (epochDone || step == total || (cfg.checkpointEvery() > 0 && step % cfg.checkpointEvery() == 0))
                    save(step, epochDone);
            }
        }
        progress.finish();
        return step;
    }

    private Tensor upload(float[] px, int n) {
        int s = student.imageSize();
        pixels = be.reuse(pixels, n, 3, s, s);
        be.copyFromHost(px, 0, pixels);
        return pixels;
    }

    private long resume() {
        Optional<CheckpointStore.Loaded> last = checkpoints.latest();
        if (last.isEmpty()) return 0;
        CheckpointStore.Loaded c = last.get();
        Object saved = c.state().get("config");
        if (!Json.write(cfg.toMap()).equals(Json.write(saved)))
            throw new UserException("output directory holds a run with another configuration (" + c.path()
                    + "); use a new --output-dir or the same settings");
        student.load(c.model());
        long step = ((Number) c.state().get("step")).longValue();
        optimizer.restore(c.optimizer(), Math.toIntExact(((Number) c.state().get("optimizer_steps")).longValue()));
        System.err.println("resuming from " + c.path() + " at step " + step);
        return step;
    }

    private void save(long step, boolean epochEnd) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("step", step);
        state.put("epoch", step / (double) stepsPerEpoch());
        state.put("optimizer_steps", optimizer.stepCount());
        state.put("config", cfg.toMap());
        checkpoints.save(step, epochEnd, state, student.toStateDict(), optimizer.state());
    }

    /** After a resume, drops metric lines past the checkpoint so the file reads as one uninterrupted run. */
    private static void truncateMetrics(Path metrics, long step) {
        try {
            if (!Files.exists(metrics)) return;
            List<String> kept = Files.readAllLines(metrics).stream().filter(l -> {
                try {
                    return ((Number) Json.parseObject(l).get("step")).longValue() <= step;
                } catch (RuntimeException e) {
                    return false; // a line cut short by a crash
                }
            }).toList();
            Files.write(metrics, kept, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void appendLine(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
