package io.rill.translate;

import java.util.List;

/** A sentence pair kept out of training, as words: what held-out loss and BLEU are measured on. */
public record HeldOutPair(List<String> source, List<String> target) {

    public HeldOutPair {
        source = List.copyOf(source);
        target = List.copyOf(target);
    }
}
