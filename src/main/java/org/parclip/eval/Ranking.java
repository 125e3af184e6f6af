package org.parclip.eval;

/** Top-k selection shared by classification and retrieval. Ties go to the lower index, as a stable sort would. */
final class Ranking {
    private Ranking() {
    }

    static int[] topK(float[] scores, int k) {
        int[] best = new int[k];
        int filled = 0;
        for (int c = 0; c < scores.length; c++) {
            int pos = filled;
            while (pos > 0 && scores[c] > scores[best[pos - 1]]) pos--;
            if (pos >= k) continue;
            int end = Math.min(filled, k - 1);
            System.arraycopy(best, pos, best, pos + 1, end - pos);
            best[pos] = c;
            if (filled < k) filled++;
        }
        return best;
    }
}
