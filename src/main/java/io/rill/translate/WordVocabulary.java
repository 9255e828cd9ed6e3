package io.rill.translate;

import io.rill.state.StateFormat;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The words of one side of a translator (source or target) and their ids, which index the rows of that side's
 * embedding (and, for the target, the output layer's columns). Four ids are fixed: {@link #PAD} (padding, never a
 * word), {@link #BOS} (the decoder's first input), {@link #EOS} (the end of a target sentence) and {@link #UNK} (a
 * word the model does not know). Words get the next id the first time they are added, so ids never change and a
 * vocabulary only grows, up to a limit. Not thread-safe: one owner, copies for everyone else.
 *
 * <p>Binary state ({@link #writeTo}): the number of words after the fixed four, then each word in id order.
 */
public final class WordVocabulary {

    public static final int PAD = 0;
    public static final int BOS = 1;
    public static final int EOS = 2;
    public static final int UNK = 3;
    /** How many ids are fixed before the first word. */
    public static final int SPECIALS = 4;
    private static final String[] SPECIAL_NAMES = {"<pad>", "<s>", "</s>", "<unk>"};
    /** Longest word kept, in UTF-16 units (what writeUTF takes is more; a word this long is not a word). */
    public static final int MAX_WORD_LENGTH = 200;

    private final List<String> words = new ArrayList<>();
    private final Map<String, Integer> ids = new HashMap<>();

    public WordVocabulary() {
        for (String special : SPECIAL_NAMES) {
            words.add(special);
        }
    }

    /** Ids in use: the fixed four and the words. */
    public int size() {
        return words.size();
    }

    /** The id of {@code word}, or {@link #UNK} when it has none. */
    public int idOf(String word) {
        Integer id = ids.get(word);
        return id == null ? UNK : id;
    }

    public boolean contains(String word) {
        return ids.containsKey(word);
    }

    /** The id of {@code word}, adding it if it is new and the vocabulary has fewer than {@code limit} ids. */
    public int add(String word, int limit) {
        Integer id = ids.get(word);
        if (id != null) {
            return id;
        }
        if (words.size() >= limit || word.isEmpty() || word.length() > MAX_WORD_LENGTH) {
            return UNK;
        }
        int next = words.size();
        words.add(word);
        ids.put(word, next);
        return next;
    }

    /** The word of {@code id} ({@code <unk>} and the like for the fixed ids). */
    public String word(int id) {
        return words.get(id);
    }

    /** The ids of {@code tokens}, {@link #UNK} for the unknown ones. */
    public int[] ids(List<String> tokens) {
        int[] out = new int[tokens.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = idOf(tokens.get(i));
        }
        return out;
    }

    public WordVocabulary copy() {
        WordVocabulary copy = new WordVocabulary();
        for (int id = SPECIALS; id < words.size(); id++) {
            copy.words.add(words.get(id));
            copy.ids.put(words.get(id), id);
        }
        return copy;
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeInt(words.size() - SPECIALS);
        for (int id = SPECIALS; id < words.size(); id++) {
            out.writeUTF(words.get(id));
        }
    }

    /** A vocabulary written by {@link #writeTo}, of at most {@code limit} ids; fails on a damaged or repeated word. */
    public static WordVocabulary readFrom(DataInput in, int limit, String what) throws IOException {
        int count = StateFormat.readInt(in, 0, Math.max(0, limit - SPECIALS), what + " words");
        WordVocabulary vocabulary = new WordVocabulary();
        for (int i = 0; i < count; i++) {
            String word = in.readUTF();
            StateFormat.require(!word.isEmpty() && word.length() <= MAX_WORD_LENGTH && !vocabulary.contains(word),
                    what + ": word " + i + " is empty, too long or repeated");
            vocabulary.add(word, Integer.MAX_VALUE);
        }
        return vocabulary;
    }
}
