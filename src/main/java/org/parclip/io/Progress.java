package org.parclip.io;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress bar on stderr for long work: redrawn in place on a terminal, a line every ~10% otherwise (logs, CI),
 * with throughput and an estimate of the time left. Results never go to stderr, so pipes stay clean.
 */
public final class Progress {
    private final PrintStream out;
    private final String label;
    private final long total;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private long done;
    private long resumedAt;
    private long lastDraw;
    private int lastDecile = -1;
    private String suffix = "";

    private Progress(PrintStream out, String label, long total, boolean terminal) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.terminal = terminal;
    }

    public static Progress stderr(String label, long total) {
        return new Progress(System.err, label, total, System.console() != null && System.console().isTerminal());
    }

    /** A line-per-decile progress bar on any stream (what stderr gets when it is not a terminal). */
    static Progress lines(PrintStream out, String label, long total) {
        return new Progress(out, label, total, false);
    }

    /** A progress bar that prints nothing (library use, tests). */
    public static Progress silent() {
        return new Progress(null, "", 0, false);
    }

    /** Extra text shown after the counters, e.g. the current loss. */
    public void status(String text) {
        suffix = text;
    }

    /** Counts work done before a resume as done, but not in the throughput (it took no time in this run). */
    public void resumeAt(long n) {
        resumedAt = n;
        advance(n);
    }

    public void advance(long n) {
        done += n;
        if (out == null) return;
        long now = System.nanoTime();
        int decile = total > 0 ? (int) (done * 10 / total) : 0;
        if (terminal ? now - lastDraw > 100_000_000L || done >= total : decile > lastDecile) {
            lastDraw = now;
            lastDecile = decile;
            draw(now);
        }
    }

    public void finish() {
        if (out == null) return;
        draw(System.nanoTime());
        if (terminal) out.println();
    }

    private void draw(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = (done - resumedAt) / secs;
        String eta = total > 0 && rate > 0 ? String.format(Locale.ROOT, " eta %.0fs", (total - done) / rate) : "";
        String line;
        if (total > 0) {
            int width = 24, filled = (int) Math.min(width, done * width / total);
            line = String.format(Locale.ROOT, "%s [%s%s] %d/%d %.1f/s%s %s", label, "=".repeat(filled),
                    " ".repeat(width - filled), done, total, rate, eta, suffix);
        } else {
            line = String.format(Locale.ROOT, "%s %d %.1f/s %s", label, done, rate, suffix);
        }
        if (terminal) out.print("\r" + line + "\u001b[K");
        else out.println(line);
        out.flush();
    }
}
