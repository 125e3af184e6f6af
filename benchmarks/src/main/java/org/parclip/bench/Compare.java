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
import java.util.Collections;
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
 * The build machines are shared, so one run can still be unlucky: given several runs, a benchmark counts as slower
 * only when it is slower in every one of them (its best ratio is compared), and a baseline takes each benchmark's
 * worst ratio over its runs. Both ends lean towards "no regression": on a quiet machine they agree, on a busy one
 * the check would otherwise fail on noise.
 *
 * <pre>
 * Compare check BASELINE RUN.json...     table of ratios; exit 1 if any is more than 10% below its baseline ratio,
 *                                        or a benchmark of the baseline is missing from the runs (it failed)
 * Compare baseline BASELINE RUN.json...  write the runs' ratios as the new baseline
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
        if (args.length < 3 || !List.of("check", "baseline").contains(args[0])) {
            System.err.println("usage: Compare check|baseline BASELINE.json RUN.json...");
            System.exit(2);
        }
        Path baselinePath = Path.of(args[1]);
        List<Map<String, Result>> runs = new ArrayList<>();
        for (int i = 2; i < args.length; i++) runs.add(read(Path.of(args[i])));
        // Per benchmark, its ratio in each run where it ran (NaN when its peer did not run).
        Map<String, List<Double>> ratios = new TreeMap<>();
        Map<String, Result> latest = new TreeMap<>();
        for (Map<String, Result> run : runs) {
            for (Result r : run.values()) {
                latest.put(r.key(), r);
                String peer = r.peerKey();
                if (peer == null) continue;
                Result p = run.get(peer);
                ratios.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(p == null ? Double.NaN : r.score() / p.score());
            }
        }
        if (args[0].equals("baseline")) writeBaseline(baselinePath, ratios);
        else if (!check(baselinePath, latest, ratios)) System.exit(1);
    }

    private static void writeBaseline(Path path, Map<String, List<Double>> ratios) throws IOException {
        JsonObject out = new JsonObject();
        out.addProperty("about", "worst ratios to same-run peers over two runs (see org.parclip.bench.Compare);"
                + " written by 'make -C benchmarks baseline'");
        JsonObject rs = new JsonObject();
        ratios.forEach((k, v) -> {
            if (v.contains(Double.NaN)) throw new IllegalStateException(k + ": its peer did not run");
            rs.addProperty(k, Math.round(Collections.min(v) * 1e4) / 1e4);
        });
        out.add("ratios", rs);
        Files.writeString(path, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out) + "\n");
        System.out.println("wrote " + ratios.size() + " ratios to " + path);
    }

    /** Prints the table and returns whether no benchmark regressed or went missing. */
    private static boolean check(Path baselinePath, Map<String, Result> latest, Map<String, List<Double>> ratios)
            throws IOException {
        JsonObject baseline = JsonParser.parseString(Files.readString(baselinePath)).getAsJsonObject()
                .getAsJsonObject("ratios");
        List<String> failures = new ArrayList<>();
        System.out.printf(Locale.ROOT, "%-48s %10s %8s %8s %8s%n", "benchmark", "ops/s", "ratio", "baseline", "change");
        for (Result r : latest.values()) {
            String key = r.key();
            List<Double> all = ratios.get(key);
            // The best ratio over the runs: a slowdown must show in every run to count.
            double ratio = all == null ? Double.NaN
                    : all.stream().mapToDouble(Double::doubleValue).filter(v -> !Double.isNaN(v)).max().orElse(Double.NaN);
            JsonElement base = baseline.get(key);
            String verdict = "";
            if (all == null) {
                verdict = "yardstick";
            } else if (Double.isNaN(ratio)) {
                verdict = "FAIL: its peer " + r.peerKey() + " did not run";
                failures.add(key);
            } else if (base == null) {
                verdict = "new: not in the baseline";
            } else if (ratio < base.getAsDouble() * (1 - TOLERANCE)) {
                verdict = "FAIL: more than " + Math.round(TOLERANCE * 100) + "% slower";
                failures.add(key);
            }
            System.out.printf(Locale.ROOT, "%-48s %10.2f %8s %8s %8s  %s%n", key, r.score(),
                    Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.3f", ratio),
                    base == null ? "" : String.format(Locale.ROOT, "%.3f", base.getAsDouble()),
                    Double.isNaN(ratio) || base == null ? ""
                            : String.format(Locale.ROOT, "%+.1f%%", 100 * (ratio / base.getAsDouble() - 1)),
                    verdict);
        }
        for (String key : baseline.keySet()) {
            if (!latest.containsKey(key)) {
                System.out.println(key + ": FAIL: in the baseline but not in the run (did it fail?)");
                failures.add(key);
            }
        }
        if (!failures.isEmpty()) {
            System.out.println(failures.size() + " benchmark(s) regressed or missing: " + String.join("; ", failures));
            return false;
        }
        System.out.println("no regression beyond " + Math.round(TOLERANCE * 100) + "% against " + baselinePath);
        return true;
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
