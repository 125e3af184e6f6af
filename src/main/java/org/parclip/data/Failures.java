package org.parclip.data;

import org.parclip.cli.UserException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Counts images that could not be read (missing or corrupt). Web-scraped data sets always have some, so they are
 * skipped; a run stops, with a UserException, only once more than {@code maxShare} of all {@code total} images
 * have failed, which points at a wrong image root or path column rather than at bad files. Thread-safe.
 */
public final class Failures {
    public static final double DEFAULT_MAX_SHARE = 0.10;
    private static final int EXAMPLES = 5;

    private final int total;
    private final double maxShare;
    private final BitSet failed = new BitSet();
    private final List<String> examples = new ArrayList<>();

    public Failures(int total, double maxShare) {
        if (!(maxShare >= 0 && maxShare <= 1)) throw new IllegalArgumentException("failure share " + maxShare);
        this.total = total;
        this.maxShare = maxShare;
    }

    /** Records that image {@code index} failed (again or for the first time); throws when over the limit. */
    public synchronized void record(int index, Path path, Exception cause) {
        if (failed.get(index)) return;
        failed.set(index);
        if (examples.size() < EXAMPLES) examples.add(path + " (" + reason(cause) + ")");
        if (count() > maxShare * total)
            throw new UserException(count() + " of " + total + " images could not be read, more than "
                    + Math.round(maxShare * 100) + "% (wrong image root or path column?), e.g. " + String.join("; ", examples));
    }

    public synchronized boolean hasFailed(int index) {
        return failed.get(index);
    }

    public synchronized int count() {
        return failed.cardinality();
    }

    /** One line for the user: how many images were skipped, with a few examples; empty when none. */
    public synchronized String summary() {
        if (count() == 0) return "";
        return "skipped " + count() + " of " + total + " images that could not be read, e.g. " + String.join("; ", examples);
    }

    private static String reason(Exception e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "missing";
        String m = e.getMessage();
        int colon = m == null ? -1 : m.lastIndexOf(": ");
        return m == null ? e.getClass().getSimpleName() : colon >= 0 ? m.substring(colon + 2) : m;
    }
}
