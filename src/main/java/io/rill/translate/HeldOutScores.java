package io.rill.translate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How well a copy of a model does on held-out pairs: the mean cross-entropy per target word (teacher forcing, the
 * end symbol included; words the model does not know read as the unknown word on both sides) and corpus BLEU-4 of
 * greedy translations of the distinct held-out source sentences, every held-out target of a sentence a reference.
 */
public record HeldOutScores(double loss, double bleu, int pairs, int sentences) {

    private static final int BATCH = 32;

    /** Scores {@code view} on its first {@code maxPairs} held-out pairs; NaN figures without any. */
    public static HeldOutScores of(TranslatorView view, AttentionNet net, Decoding decoding, int maxPairs) {
        List<HeldOutPair> pairs = view.heldOut().subList(0, Math.min(maxPairs, view.heldOut().size()));
        if (pairs.isEmpty() || !view.trained()) {
            return new HeldOutScores(Double.NaN, Double.NaN, 0, 0);
        }
        double loss = 0;
        double words = 0;
        for (int from = 0; from < pairs.size(); from += BATCH) {
            List<HeldOutPair> chunk = pairs.subList(from, Math.min(pairs.size(), from + BATCH));
            int[][] sources = new int[chunk.size()][];
            int[][] targets = new int[chunk.size()][];
            for (int b = 0; b < chunk.size(); b++) {
                sources[b] = view.sourceIds(chunk.get(b).source());
                targets[b] = targetIds(view, chunk.get(b).target());
            }
            double[] sum = net.lossSum(view.params(), new AttentionNet.Batch(sources, targets));
            loss += sum[0];
            words += sum[1];
        }
        Map<List<String>, List<List<String>>> references = new LinkedHashMap<>();
        for (HeldOutPair pair : pairs) {
            references.computeIfAbsent(pair.source(), s -> new ArrayList<>()).add(pair.target());
        }
        Bleu bleu = new Bleu();
        references.forEach((source, refs) -> bleu.add(
                view.translate(decoding, source, 1, 2 * source.size() + 10).targetTokens(), refs));
        return new HeldOutScores(loss / words, bleu.score(), pairs.size(), references.size());
    }

    private static int[] targetIds(TranslatorView view, List<String> words) {
        int[] ids = new int[words.size()];
        for (int i = 0; i < ids.length; i++) {
            int id = view.target().idOf(words.get(i));
            ids[i] = id < view.params().targetSize() ? id : WordVocabulary.UNK;
        }
        return ids;
    }
}
