package io.rill.classify;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A copy of a classifier's data ({@link ClassifierData}) kept by an actor that reads it (a worker, a classifier, the
 * progress reporter), brought up to date by {@link ClassifierData.Sync}: each answer brings only what the copy
 * lacks, unless the base rows were refreshed, which replaces them all. Not thread-safe: one actor owns it. Its base
 * table only grows (rows are appended for new words) until a refresh replaces it with a new one.
 */
final class DataCopy {

    private final int dimension;
    private final boolean wantsHeldOut;
    private final List<String> words = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();
    private List<String> labels = List.of();
    private BaseTable base;
    private long baseVersion = -1;
    private final List<int[]> heldOut = new ArrayList<>();
    private final List<Integer> heldOutLabels = new ArrayList<>();

    DataCopy(int dimension, boolean wantsHeldOut) {
        this.dimension = dimension;
        this.wantsHeldOut = wantsHeldOut;
        this.base = new BaseTable(dimension);
    }

    /** The request for what this copy lacks. */
    ClassifierData.Sync request(ActorRef<ClassifierData.Synced> replyTo) {
        return new ClassifierData.Sync(words.size(), baseVersion, wantsHeldOut ? heldOut.size() : Integer.MAX_VALUE,
                replyTo);
    }

    /** Takes in an answer to {@link #request}; returns whether the base rows were replaced (a refresh). */
    boolean apply(ClassifierData.Synced synced) {
        if (synced.wordsFrom() != words.size()) {
            throw new IllegalStateException("an answer for " + synced.wordsFrom() + " words, the copy has "
                    + words.size());
        }
        for (String word : synced.words()) {
            ids.put(word, words.size());
            words.add(word);
        }
        boolean replaced = synced.rowsFrom() == 0 && baseVersion != synced.baseVersion();
        if (synced.rowsFrom() == 0) {
            base = BaseTable.of(dimension, synced.rows());
        } else {
            base.appendAll(synced.rows());
        }
        baseVersion = synced.baseVersion();
        labels = synced.labels();
        if (wantsHeldOut && synced.heldOutFrom() == heldOut.size()) {
            heldOut.addAll(synced.heldOut());
            for (int label : synced.heldOutLabels()) {
                heldOutLabels.add(label);
            }
        }
        return replaced;
    }

    BaseTable base() {
        return base;
    }

    long baseVersion() {
        return baseVersion;
    }

    List<String> labels() {
        return labels;
    }

    int words() {
        return words.size();
    }

    /** The id of {@code word}, or −1. */
    int id(String word) {
        return ids.getOrDefault(word, -1);
    }

    List<int[]> heldOut() {
        return heldOut;
    }

    int[] heldOutLabels() {
        return heldOutLabels.stream().mapToInt(Integer::intValue).toArray();
    }
}
