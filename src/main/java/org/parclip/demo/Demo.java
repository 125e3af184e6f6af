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
    /** CLIP's weight decay for the two phases that build the backdoored model; the reference's for cleaning. */
    private static final double TRAIN_WEIGHT_DECAY = 0.1, CLEAN_WEIGHT_DECAY = 1e-4;

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
        this.world = new ShapeWorld(seed, ShapeWorld.DEFAULT_IMAGE_SIZE, ShapeWorld.DEFAULT_TARGET_RARITY);
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
        TrainConfig pretraining = recipe(LossKind.CLIP, cfg.pretrainLr(), cfg.pretrainEpochs(), cfg.trainBatch(),
                TRAIN_WEIGHT_DECAY, seed);
        WorldBatches cleanPairs = new WorldBatches(world, 0, cfg.trainSize(), cfg.trainBatch(), seed, null, null,
                Augment.par(), false, context);
        Map<String, Object> cleanResult = train(model, null, pretraining, cleanPairs, "pretrained").getLast();
        System.err.printf(Locale.ROOT, "demo: clean model CA %.1f%%, ASR %.1f%% (triggered images it calls %s unprompted)%n",
                cleanResult.get("clean_accuracy"), cleanResult.get("attack_success_rate"), ShapeWorld.TARGET_CLASS);

        System.err.printf(Locale.ROOT, "demo: fine-tuning it on %d pairs, %d poisoned with %s -> %s (the backdoored model)%n",
                cfg.trainSize(), cfg.poisonCount(), attack.name(), ShapeWorld.TARGET_CLASS);
        BitSet poisoned = WorldBatches.choosePoisoned(world, 0, cfg.trainSize(), cfg.poisonCount(), seed + 1);
        TrainConfig poisoning = recipe(LossKind.CLIP, cfg.poisonLr(), cfg.poisonEpochs(), cfg.trainBatch(),
                TRAIN_WEIGHT_DECAY, seed);
        WorldBatches poisonedPairs = new WorldBatches(world, 0, cfg.trainSize(), cfg.trainBatch(), seed + 1, poisoned,
                attack, Augment.par(), false, context);
        Map<String, Object> poisonedResult = train(model, null, poisoning, poisonedPairs, "poisoned").getLast();
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
            System.err.printf(Locale.ROOT, "demo: cleaning with %s on %d clean pairs for %d epochs%n", name,
                    cfg.cleanSize(), cfg.cleanEpochs());
            ClipModel student = ClipModel.fromStateDict(be, Safetensors.read(poisonedFile));
            ClipModel teacher = method == LossKind.PAR ? ClipModel.fromStateDict(be, Safetensors.read(poisonedFile)) : null;
            WorldBatches clean = new WorldBatches(world, cfg.trainSize(), cfg.cleanSize(), cfg.cleanBatch(),
                    seed + 2, null, null, Augment.par(), method == LossKind.CLEANCLIP, context);
            TrainConfig cleanCfg = recipe(method, cfg.cleanLr(), cfg.cleanEpochs(), cfg.cleanBatch(), CLEAN_WEIGHT_DECAY,
                    seed + 2);
            List<Map<String, Object>> perEpoch = train(student, teacher, cleanCfg, clean, name);
            for (int e = 0; e < perEpoch.size(); e++) curve.add(point(name, "epoch " + (e + 1), perEpoch.get(e)));
            Map<String, Object> headline = summary(perEpoch.getLast());
            headline.put("setting", "epoch " + perEpoch.size());
            results.put(name, headline);
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

    /**
     * The recipe of every phase: AdamW (betas 0.9, 0.98), a linear warm-up from 0 over 10% of the run (at most one
     * epoch), then a cosine to 0, gradients clipped at norm 1.
     */
    private static TrainConfig recipe(LossKind loss, double lr, double epochs, int batch, double weightDecay, long seed) {
        double tau = loss == LossKind.PAR ? DemoConfig.TAU : 0;
        return new TrainConfig(loss, tau, lr, 0, 0, epochs, Math.min(1, epochs * 0.1), batch, weightDecay, 0.9, 0.98,
                1e-6, 1, seed, 1.0, 10, 0, 0);
    }

    /**
     * Trains to the end (resuming if the folder holds a run), keeps the model as DIR/NAME.safetensors and returns
     * the zero-shot evaluations made after each epoch, read back from DIR/NAME/metrics.jsonl so that a resumed run
     * reports the epochs finished before the interruption too. Only the last checkpoint of a finished phase is kept:
     * it marks the phase done for a resumed demo, and the epoch checkpoints (model and AdamW moments, 84 MB each for
     * the demo's model) would otherwise fill gigabytes.
     */
    private List<Map<String, Object>> train(ClipModel student, ClipModel teacher, TrainConfig tc, BatchSource data,
                                            String name) throws IOException {
        Path out = dir.resolve(name);
        Files.createDirectories(out);
        long perEpochSteps = data.batchesPerEpoch() / tc.updateFreq();
        Trainer trainer = new Trainer(withEvalEvery(tc, (int) perEpochSteps), student, teacher, data, out,
                (model, step) -> eval.evaluate(model));
        trainer.run();
        trainer.dropOlderCheckpoints();
        Safetensors.write(dir.resolve(name + ".safetensors"), student.toStateDict(), DType.F32,
                Map.of("source_format", "parclip-demo-" + name));
        List<Map<String, Object>> perEpoch = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl")))
            if (line.contains("\"clean_accuracy\"")) perEpoch.add(Json.parseObject(line));
        if (perEpoch.isEmpty()) throw new IllegalStateException(out + "/metrics.jsonl holds no evaluation");
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
