package org.parclip.cli;

import org.parclip.demo.Demo;
import org.parclip.tensor.Backend;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code par demo}: pre-train a small CLIP on a synthetic world, backdoor it by fine-tuning on a poisoned set, clean
 * it with PAR, FT and CleanCLIP, and report clean accuracy and attack success rate with a trade-off figure.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Backdoor a small CLIP on synthetic data, clean it with PAR/FT/CleanCLIP; writes results.json and tradeoff.png.")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--output-dir", defaultValue = "demo-output", description = "Default: ${DEFAULT-VALUE}.")
    Path outputDir;

    @Option(names = "--attack", defaultValue = "badnet_rs", description = "Trigger (default ${DEFAULT-VALUE}).")
    String attack;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--quick", description = "The same pipeline, small enough for a test run (about a minute).")
    boolean quick;

    @Mixin
    BackendOptions backendOptions;

    @Override
    @SuppressWarnings("unchecked")
    public Integer call() throws Exception {
        try (Backend be = backendOptions.open()) {
            Map<String, Object> r = Demo.run(outputDir, attack, seed, quick, be);
            System.out.printf(Locale.ROOT, "%-12s %-18s %8s %8s%n", "method", "setting", "CA %", "ASR %");
            for (Map<String, Object> p : (List<Map<String, Object>>) r.get("curve"))
                System.out.printf(Locale.ROOT, "%-12s %-18s %8.1f %8.1f%n", p.get("method"), p.get("setting"),
                        ((Number) p.get("clean_accuracy")).doubleValue(), ((Number) p.get("attack_success_rate")).doubleValue());
            System.out.printf(Locale.ROOT, "results: %s, figure: %s (%.0f s)%n", outputDir.resolve("results.json"),
                    outputDir.resolve("tradeoff.png"), ((Number) r.get("seconds")).doubleValue());
        }
        return 0;
    }
}
