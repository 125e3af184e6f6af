package org.parclip.demo;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The paper's trade-off figure: clean accuracy on x, attack success rate on y, one line per cleaning method
 * running from the backdoored model through the checkpoint after each cleaning epoch, and the never-poisoned model
 * for reference (its ASR is the floor: triggered images it calls the target class by chance). Lower-right is better.
 */
final class TradeoffPlot {
    /** Drawn as single markers, not as a method's line: the backdoored model (every line's start), the clean one. */
    private static final List<String> REFERENCE_POINTS = List.of("poisoned", "clean");

    private TradeoffPlot() {
    }

    static void write(Path png, List<Map<String, Object>> curve, String attack) throws IOException {
        XYChart chart = new XYChartBuilder().width(960).height(560)
                .title("Backdoor removal (" + attack + " trigger): clean accuracy vs attack success rate")
                .xAxisTitle("clean accuracy (%)").yAxisTitle("attack success rate (%)").build();
        // Outside: inside the plot the legend box can hide a point (the clean model sits low on the right).
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisMin(0.0).setYAxisMax(100.0);
        chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);

        Map<String, Object> origin = pointOf(curve, "poisoned");
        Map<String, List<Map<String, Object>>> byMethod = new LinkedHashMap<>();
        for (Map<String, Object> p : curve)
            if (!REFERENCE_POINTS.contains(p.get("method")))
                byMethod.computeIfAbsent((String) p.get("method"), k -> new ArrayList<>()).add(p);
        for (Map.Entry<String, List<Map<String, Object>>> e : byMethod.entrySet()) {
            List<Double> x = new ArrayList<>(List.of(num(origin, "clean_accuracy")));
            List<Double> y = new ArrayList<>(List.of(num(origin, "attack_success_rate")));
            for (Map<String, Object> p : e.getValue()) {
                x.add(num(p, "clean_accuracy"));
                y.add(num(p, "attack_success_rate"));
            }
            chart.addSeries(label(e.getKey()), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        marker(chart, "backdoored model", origin, SeriesMarkers.DIAMOND);
        marker(chart, "clean model (never poisoned)", pointOf(curve, "clean"), SeriesMarkers.SQUARE);
        Path tmp = png.resolveSibling(png.getFileName() + ".tmp.png");
        BitmapEncoder.saveBitmap(chart, tmp.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
        Files.move(tmp, png, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static Map<String, Object> pointOf(List<Map<String, Object>> curve, String method) {
        return curve.stream().filter(p -> p.get("method").equals(method)).findFirst().orElseThrow();
    }

    private static void marker(XYChart chart, String name, Map<String, Object> p, Marker shape) {
        XYSeries s = chart.addSeries(name, List.of(num(p, "clean_accuracy")), List.of(num(p, "attack_success_rate")));
        s.setMarker(shape);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
    }

    private static String label(String method) {
        return switch (method) {
            case "par" -> "PAR";
            case "ft" -> "FT (CLIP loss)";
            case "cleanclip" -> "CleanCLIP";
            default -> method;
        };
    }

    private static double num(Map<String, Object> p, String key) {
        return ((Number) p.get(key)).doubleValue();
    }
}
