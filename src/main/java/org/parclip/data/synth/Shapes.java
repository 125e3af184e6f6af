package org.parclip.data.synth;

import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/**
 * The object classes of the shape world as filled outlines in unit coordinates (y down, bounding box centred on
 * the origin with its longer half-side 1).
 *
 * <p>Eight classes with clearly different silhouettes: a small ViT at 32 px learns a handful of distinct, large,
 * filled shapes within a few epochs, whereas near-duplicates (ring vs circle, diamond vs square, moon vs banana)
 * would cost most of the demo's time budget. "banana" is the attack target of the PAR paper, drawn as a curved,
 * tapered crescent with a stem so that it reads as a banana and not as a moon.
 */
final class Shapes {
    private Shapes() {
    }

    static final List<String> NAMES = List.of("banana", "circle", "square", "triangle", "star", "cross", "heart", "arrow");

    /** Outline of each class in {@link #NAMES} order, normalised to the unit box. */
    static final Shape[] OUTLINES = NAMES.stream().map(Shapes::build).map(Shapes::normalise).toArray(Shape[]::new);

    /** The banana's stem, drawn darker on top of the body (same transform as the banana outline). */
    static final Shape BANANA_STEM;

    static {
        BANANA_STEM = normaliseLike(bananaStem(), banana());
    }

    private static Shape build(String name) {
        return switch (name) {
            case "banana" -> banana();
            case "circle" -> new Ellipse2D.Double(-1, -1, 2, 2);
            case "square" -> new Rectangle2D.Double(-1, -1, 2, 2);
            case "triangle" -> polygon(0, -1, 1.05, 0.8, -1.05, 0.8);
            case "star" -> star(5, 1.0, 0.42);
            case "cross" -> cross(0.32);
            case "heart" -> heart();
            case "arrow" -> polygon(-1, -0.24, 0.1, -0.24, 0.1, -0.7, 1, 0, 0.1, 0.7, 0.1, 0.24, -1, 0.24);
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Body and stem together, so the banana's box (used to place it) includes the stem. */
    private static Shape banana() {
        Path2D.Double p = bananaBody();
        p.append(bananaStem(), false);
        return p;
    }

    /** A smile-shaped crescent: thick in the middle, tapering to blunt tips. */
    private static Path2D.Double bananaBody() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(-1.0, -0.55);                                  // left tip
        p.curveTo(-0.80, 0.80, 0.60, 0.95, 0.98, -0.30);        // outer (lower) edge to the right end
        p.lineTo(0.80, -0.45);                                  // blunt right end
        p.curveTo(0.45, 0.05, -0.45, 0.00, -0.84, -0.70);       // inner (upper) edge back to the left
        p.closePath();
        return p;
    }

    private static Path2D.Double bananaStem() {
        Path2D.Double p = polygonPath(0.80, -0.42, 0.97, -0.32, 1.12, -0.70, 0.98, -0.76);
        return p;
    }

    private static Shape star(int points, double outer, double inner) {
        double[] xy = new double[points * 4];
        for (int i = 0; i < points * 2; i++) {
            double r = (i % 2 == 0) ? outer : inner;
            double a = -Math.PI / 2 + i * Math.PI / points;
            xy[2 * i] = r * Math.cos(a);
            xy[2 * i + 1] = r * Math.sin(a);
        }
        return polygon(xy);
    }

    private static Shape cross(double halfWidth) {
        double w = halfWidth;
        return polygon(-w, -1, w, -1, w, -w, 1, -w, 1, w, w, w, w, 1, -w, 1, -w, w, -1, w, -1, -w, -w, -w);
    }

    private static Shape heart() {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(0, 1.0);
        p.curveTo(-0.35, 0.68, -1.0, 0.28, -1.0, -0.30);
        p.curveTo(-1.0, -0.88, -0.28, -1.02, 0, -0.48);
        p.curveTo(0.28, -1.02, 1.0, -0.88, 1.0, -0.30);
        p.curveTo(1.0, 0.28, 0.35, 0.68, 0, 1.0);
        p.closePath();
        return p;
    }

    private static Shape polygon(double... xy) {
        return polygonPath(xy);
    }

    private static Path2D.Double polygonPath(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) p.lineTo(xy[i], xy[i + 1]);
        p.closePath();
        return p;
    }

    /** Centres the shape's bounding box on the origin and scales its longer half-side to 1. */
    private static Shape normalise(Shape s) {
        return toUnitBox(s.getBounds2D()).createTransformedShape(s);
    }

    private static Shape normaliseLike(Shape s, Shape reference) {
        return toUnitBox(reference.getBounds2D()).createTransformedShape(s);
    }

    private static AffineTransform toUnitBox(Rectangle2D b) {
        double scale = 2.0 / Math.max(b.getWidth(), b.getHeight());
        AffineTransform t = AffineTransform.getScaleInstance(scale, scale);
        t.translate(-b.getCenterX(), -b.getCenterY());
        return t;
    }
}
