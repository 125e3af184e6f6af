package org.parclip.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Compares a JMH run (its {@code -rf json} file) with the committed baseline. Raw scores depend on the machine and on
 * whoever else is using it, so the check is on ratios to a peer measured in the same run:
 * <ul>
 *   <li>the java GEMM: its calls/s over the blas GEMM's at the same shape and thread count;</li>
 *   <li>every other benchmark: its calls/s over the blas GEMM's at shape 1024 (the run's yardstick of machine speed);</li>
 *   <li>blas GEMM rows are the yardsticks themselves: printed, not checked.</li>
 * </ul>
 * A score is the median of the measurement iterations, which shrugs off a burst of load better than JMH's mean.
 *
 * <pre>
 * Compare check RESULTS BASELINE     table of ratios; exit 1 if any is more than 10% below its baseline ratio,
 *                                    or a benchmark of the baseline is missing from the run (it failed)
 * Compare baseline RESULTS BASELINE  write the run's ratios as the new baseline
 * </pre>
 */
public final class Compare {
    /** A ratio this much below the baseline's fails the check. */
    private static final double TOLERANCE = 0.10;
    private static final String GEMM = "GemmBench.gemm";

    private record Result(String benchmark, TreeMap<String, String> params, double score) {
        String key() {
            StringBuilder sb = new StringBuilder(benchmark);
            params.forEach((name, value) -> sb.append(' ').append(name).append('=').append(value));
            return sb.toString();
        }

        /** Key of the peer this result is divided by, or null for a yardstick (a blas GEMM). */
        String peerKey() {
            TreeMap<String, String> p = new TreeMap<>();
            if (benchmark.equals(GEMM)) {
                if ("blas".equals(params.get("impl"))) return null;
                p.putAll(params);
            } else {
                p.put("shape", "1024");
                p.put("threads", params.getOrDefault("threads", "2"));
            }
            p.put("impl", "blas");
            return new Result(GEMM, p, 0).key();
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3 || !List.of("check", "baseline").contains(args[0])) {
            System.err.println("usage: Compare check|baseline RESULTS.json BASELINE.json");
            System.exit(2);
        }
        Map<String, Result> run = read(Path.of(args[1]));
        Map<String, Double> ratios = new TreeMap<>();
        for (Result r : run.values()) {
            String peer = r.peerKey();
            if (peer == null) continue;
            Result p = run.get(peer);
            ratios.put(r.key(), p == null ? Double.NaN : r.score() / p.score());
        }
        Path baselinePath = Path.of(args[2]);
        if (args[0].equals("baseline")) {
            JsonObject out = new JsonObject();
            out.addProperty("about", "ratios to same-run peers (see org.parclip.bench.Compare); written by 'make -C benchmarks baseline'");
            JsonObject rs = new JsonObject();
            ratios.forEach((k, v) -> rs.addProperty(k, Math.round(v * 1e4) / 1e4));
            out.add("ratios", rs);
            Files.writeString(baselinePath, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out) + "\n");
            System.out.println("wrote " + ratios.size() + " ratios to " + baselinePath);
            return;
        }
        JsonObject baseline = JsonParser.parseString(Files.readString(baselinePath)).getAsJsonObject()
                .getAsJsonObject("ratios");
        List<String> failures = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-58s %12s %8s %8s %8s%n", "benchmark", "ops/s", "ratio", "baseline", "change");
        for (Result r : run.values()) {
            String key = r.key();
            Double ratio = ratios.get(key);
            JsonElement base = baseline.get(key);
            String verdict = "";
            if (ratio == null) {
                verdict = "yardstick";
            } else if (ratio.isNaN()) {
                verdict = "FAIL: its peer " + r.peerKey() + " did not run";
                failures.add(key);
            } else if (base == null) {
                verdict = "new: not in the baseline";
            } else if (ratio < base.getAsDouble() * (1 - TOLERANCE)) {
                verdict = "FAIL: more than " + Math.round(TOLERANCE * 100) + "% slower";
                failures.add(key);
            }
            System.out.printf(Locale.ROOT, "%-58s %12.2f %8s %8s %8s  %s%n", key, r.score(),
                    ratio == null ? "" : String.format(Locale.ROOT, "%.3f", ratio),
                    base == null ? "" : String.format(Locale.ROOT, "%.3f", base.getAsDouble()),
                    ratio == null || base == null ? ""
                            : String.format(Locale.ROOT, "%+.1f%%", 100 * (ratio / base.getAsDouble() - 1)),
                    verdict);
        }
        for (String key : baseline.keySet()) {
            if (!run.containsKey(key)) {
                System.out.println(key + ": FAIL: in the baseline but not in this run (did it fail?)");
                failures.add(key);
            }
        }
        if (!failures.isEmpty()) {
            System.out.println(failures.size() + " benchmark(s) regressed or missing: " + String.join("; ", failures));
            System.exit(1);
        }
        System.out.println("no regression beyond " + Math.round(TOLERANCE * 100) + "% against " + baselinePath);
    }

    /** The run's results keyed by "Class.method param=value ...", with each score the median iteration. */
    private static Map<String, Result> read(Path file) throws IOException {
        Map<String, Result> out = new LinkedHashMap<>();
        JsonArray all = JsonParser.parseString(Files.readString(file)).getAsJsonArray();
        for (JsonElement e : all) {
            JsonObject o = e.getAsJsonObject();
            String name = o.get("benchmark").getAsString();
            String[] parts = name.split("\\.");
            String benchmark = parts[parts.length - 2] + "." + parts[parts.length - 1];
            TreeMap<String, String> params = new TreeMap<>();
            if (o.has("params"))
                o.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            List<Double> iterations = new ArrayList<>();
            for (JsonElement fork : o.getAsJsonObject("primaryMetric").getAsJsonArray("rawData"))
                for (JsonElement v : fork.getAsJsonArray()) iterations.add(v.getAsDouble());
            Result r = new Result(benchmark, params, median(iterations));
            out.put(r.key(), r);
        }
        return out;
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
}
