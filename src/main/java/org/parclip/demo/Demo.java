package org.parclip.demo;

import org.parclip.attack.Attack;
import org.parclip.attack.Attacks;
import org.parclip.data.Augment;
import org.parclip.data.Preprocess;
import org.parclip.data.synth.ShapeWorld;
import org.parclip.eval.ZeroShotEval;
import org.parclip.io.AtomicFiles;
import org.parclip.io.Json;
import org.parclip.io.Safetensors;
import org.parclip.model.ClipModel;
import org.parclip.model.ModelSpecs;
import org.parclip.tensor.Backend;
import org.parclip.tensor.DType;
import org.parclip.text.ClipTokenizer;
import org.parclip.train.BatchSource;
import org.parclip.train.LossKind;
import org.parclip.train.TrainConfig;
import org.parclip.train.Trainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * `par demo`: the paper's experiment in miniature on the synthetic shape world. Pre-train a small CLIP from scratch
 * on clean pairs, fine-tune it on a set with poisoned pairs (the backdoored model), then clean it on disjoint clean
 * pairs with PAR, plain fine-tuning (FT) and CleanCLIP, evaluating zero-shot clean accuracy and attack success rate
 * after every epoch. Each phase is an ordinary resumable training run in its own folder; every model is kept as
 * safetensors.
 */
public final class Demo {
    private final DemoConfig cfg;
    private final Path dir;
    private final Attack attack;
    private final long seed;
    private final Backend be;
    private final ShapeWorld world;
    private ZeroShotEval eval;

    private Demo(DemoConfig cfg, Path dir, String attackName, long seed, Backend be) {
        this.cfg = cfg;
        this.dir = dir;
        this.attack = Attacks.byName(attackName);
        this.seed = seed;
        this.be = be;
        this.world = new ShapeWorld(seed);
    }

    /** Runs the whole demo and returns results.json's content. */
    public static Map<String, Object> run(Path dir, String attack, long seed, boolean quick, Backend be) throws IOException {
        return new Demo(quick ? DemoConfig.quick() : DemoConfig.full(), dir, attack, seed, be).run();
    }

    private Map<String, Object> run() throws IOException {
        Files.createDirectories(dir);
        long start = System.nanoTime();
        eval = evaluationSet();
        int context = ClipTokenizer.DEFAULT_CONTEXT_LENGTH;

        System.err.printf(Locale.ROOT, "demo: pre-training a clean model from scratch on %d clean pairs%n", cfg.trainSize());
        ClipModel model = ClipModel.initialised(be, ModelSpecs.resolve(cfg.model()), seed);
        Map<String, Object> cleanResult = train(model, null, trainingConfig(cfg.pretrainLr(), cfg.pretrainEpochs()),
                new WorldBatches(world, 0, cfg.trainSize(), cfg.trainBatch(), seed, null, null, Augment.par(), false,
                        context), "pretrained").getLast();
        System.err.printf(Locale.ROOT, "demo: clean model CA %.1f%%, ASR %.1f%% (triggered images it calls %s unprompted)%n",
                cleanResult.get("clean_accuracy"), cleanResult.get("attack_success_rate"), ShapeWorld.TARGET_CLASS);

        System.err.printf(Locale.ROOT, "demo: fine-tuning it on %d pairs, %d poisoned with %s -> %s (the backdoored model)%n",
                cfg.trainSize(), cfg.poisonCount(), attack.name(), ShapeWorld.TARGET_CLASS);
        BitSet poisoned = WorldBatches.choosePoisoned(world, 0, cfg.trainSize(), cfg.poisonCount(), seed + 1);
        Map<String, Object> poisonedResult = train(model, null, trainingConfig(cfg.poisonLr(), cfg.poisonEpochs()),
                new WorldBatches(world, 0, cfg.trainSize(), cfg.trainBatch(), seed + 1, poisoned, attack, null, false,
                        context), "poisoned").getLast();
        System.err.printf(Locale.ROOT, "demo: backdoored model CA %.1f%%, ASR %.1f%%%n",
                poisonedResult.get("clean_accuracy"), poisonedResult.get("attack_success_rate"));

        List<Map<String, Object>> curve = new ArrayList<>();
        curve.add(point("clean", "never poisoned", cleanResult));
        curve.add(point("poisoned", "backdoored model", poisonedResult));
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("clean_model", summary(cleanResult));
        results.put("poisoned", summary(poisonedResult));
        Path poisonedFile = dir.resolve("poisoned.safetensors");
        for (LossKind method : List.of(LossKind.PAR, LossKind.CLIP, LossKind.CLEANCLIP)) {
            String name = switch (method) {
                case PAR -> "par";
                case CLIP -> "ft";
                case CLEANCLIP -> "cleanclip";
            };
            for (int k = 0; k < cfg.cleanLrStarts().length; k++) {
                double lrStart = cfg.cleanLrStarts()[k];
                String setting = String.format(Locale.ROOT, "lr_start %.0e", lrStart);
                System.err.printf(Locale.ROOT, "demo: cleaning with %s (%s) on %d clean pairs%n", name, setting, cfg.cleanSize());
                ClipModel student = ClipModel.fromStateDict(be, Safetensors.read(poisonedFile));
                ClipModel teacher = method == LossKind.PAR ? ClipModel.fromStateDict(be, Safetensors.read(poisonedFile)) : null;
                TrainConfig cleanCfg = new TrainConfig(method, cfg.tau(), lrStart / 10, lrStart, lrStart / 1e4,
                        cfg.cleanEpochs(), cfg.cleanWarmupEpochs(), cfg.cleanBatch(), 1e-4, 0.9, 0.98, 1e-8, 1,
                        seed + 2, 0, 10, 0, 0);
                WorldBatches clean = new WorldBatches(world, cfg.trainSize(), cfg.cleanSize(), cfg.cleanBatch(),
                        seed + 2, null, null, Augment.par(), method == LossKind.CLEANCLIP, context);
                Map<String, Object> r = train(student, teacher, cleanCfg, clean, name + "-" + (k + 1)).getLast();
                curve.add(point(name, setting, r));
                if (k == cfg.headline()) {
                    Map<String, Object> headline = summary(r);
                    headline.put("setting", setting);
                    results.put(name, headline);
                }
            }
        }
        results.put("curve", curve);
        results.put("attack", attack.name());
        results.put("target", ShapeWorld.TARGET_CLASS);
        results.put("seed", seed);
        results.put("seconds", (System.nanoTime() - start) / 1e9);
        AtomicFiles.writeString(dir.resolve("results.json"), Json.writePretty(results));
        TradeoffPlot.write(dir.resolve("tradeoff.png"), curve, attack.name());
        return results;
    }

    /** The CLIP-loss recipe of both training phases: AdamW, 10% linear warm-up (at most one epoch), then a cosine. */
    private TrainConfig trainingConfig(double lr, double epochs) {
        return new TrainConfig(LossKind.CLIP, 0, lr, 0, 0, epochs, Math.min(1, epochs * 0.1), cfg.trainBatch(), 0.1,
                0.9, 0.98, 1e-6, 1, seed, 1.0, 10, 0, 0);
    }

    /**
     * Trains to the end (resuming if the folder holds a run), keeps the model as DIR/NAME.safetensors and returns
     * the zero-shot evaluations made after each epoch (logged in DIR/NAME/metrics.jsonl too). Only the last checkpoint
     * of a finished phase is kept: it marks the phase done for a resumed demo, and the epoch checkpoints (model and
     * AdamW moments, 84 MB each for the demo's model) would otherwise fill gigabytes.
     */
    private List<Map<String, Object>> train(ClipModel student, ClipModel teacher, TrainConfig tc, BatchSource data,
                                            String name) throws IOException {
        Path out = dir.resolve(name);
        Files.createDirectories(out);
        List<Map<String, Object>> perEpoch = new ArrayList<>();
        long perEpochSteps = data.batchesPerEpoch() / tc.updateFreq();
        Trainer trainer = new Trainer(withEvalEvery(tc, (int) perEpochSteps), student, teacher, data, out,
                (model, step) -> {
                    Map<String, Object> r = eval.evaluate(model);
                    perEpoch.add(r);
                    return r;
                });
        trainer.run();
        trainer.dropOlderCheckpoints();
        Safetensors.write(dir.resolve(name + ".safetensors"), student.toStateDict(), DType.F32,
                Map.of("source_format", "parclip-demo-" + name));
        if (perEpoch.isEmpty()) perEpoch.add(eval.evaluate(student)); // the run was already complete on disk
        return perEpoch;
    }

    private static TrainConfig withEvalEvery(TrainConfig c, int every) {
        return new TrainConfig(c.loss(), c.tau(), c.lr(), c.lrStart(), c.lrEnd(), c.epochs(), c.warmupEpochs(),
                c.batchSize(), c.weightDecay(), c.beta1(), c.beta2(), c.eps(), c.updateFreq(), c.seed(),
                c.clipGradNorm(), c.logEvery(), c.checkpointEvery(), every);
    }

    /** Held-out images of the world, clean and with the trigger, classified with held-out prompt templates. */
    private ZeroShotEval evaluationSet() {
        int s = world.imageSize(), per = 3 * s * s, n = cfg.evalSize();
        float[] clean = new float[n * per], triggered = new float[n * per];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            long index = ShapeWorld.EVAL_OFFSET + i;
            float[] unit = new float[per];
            world.renderInto(index, unit, 0);
            float[] trig = attack.apply(unit.clone(), s, new SplittableRandom(seed * 31 + i));
            Preprocess.normalize(unit);
            Preprocess.normalize(trig);
            System.arraycopy(unit, 0, clean, i * per, per);
            System.arraycopy(trig, 0, triggered, i * per, per);
            labels[i] = world.classOf(index);
        }
        ClipTokenizer tok = ClipTokenizer.get();
        return new ZeroShotEval(ShapeWorld.classNames(), ShapeWorld.zeroShotTemplates(),
                prompts -> tok.tokenizeFlat(prompts, ClipTokenizer.DEFAULT_CONTEXT_LENGTH), clean, triggered,
                labels, ShapeWorld.classIndex(ShapeWorld.TARGET_CLASS), 128);
    }

    private static Map<String, Object> summary(Map<String, Object> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clean_accuracy", r.get("clean_accuracy"));
        m.put("attack_success_rate", r.get("attack_success_rate"));
        return m;
    }

    private static Map<String, Object> point(String method, String setting, Map<String, Object> r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method);
        m.put("setting", setting);
        m.putAll(summary(r));
        return m;
    }
}
