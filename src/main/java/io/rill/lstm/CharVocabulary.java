package io.rill.lstm;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.rill.state.StateFormat;
import io.rill.wire.WireBytes;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The mapping between Unicode code points and the dense ids the model indexes its embedding and output rows by.
 *
 * <p>Id 0 is reserved for end-of-sequence. On line-oriented data one line is one sequence, so the newline character
 * is the end-of-sequence symbol: {@code '\n'} encodes to 0 and 0 decodes to {@code '\n'}. Every other character gets
 * the next free id the first time it is {@linkplain #add added}; ids are never reused or reordered, because they are
 * row numbers in the parameters, and growing the vocabulary appends rows (its parameter server grows its vocabulary group, see {@link CharModelData}).
 *
 * <p>Binary state ({@link #writeTo} / {@link #readFrom}): format version, size, then the code points in id order.
 * It is also the wire form between nodes ({@link #toWireBytes} / {@link #fromWireBytes}).
 *
 * <p>Not thread-safe: one owner (in the running system, whoever also owns the parameters) adds characters.
 */
public final class CharVocabulary {

  /** The end-of-sequence id, also the id of {@code '\n'}. */
  public static final int EOS = 0;

  private static final int NEWLINE = '\n';

  /** Version of the binary state {@link #writeTo} writes. */
  static final int FORMAT_VERSION = 1;

  private final List<Integer> codePoints = new ArrayList<>();
  private final Map<Integer, Integer> ids = new HashMap<>();

  /** A vocabulary that knows only end-of-sequence. */
  public CharVocabulary() {
    codePoints.add(NEWLINE);
    ids.put(NEWLINE, EOS);
  }

  /** A vocabulary with end-of-sequence followed by the distinct characters of {@code text} in code point order. */
  public static CharVocabulary ofSortedCharacters(CharSequence text) {
    CharVocabulary vocabulary = new CharVocabulary();
    text.codePoints().distinct().sorted().forEach(vocabulary::add);
    return vocabulary;
  }

  /** An independent copy, e.g. for a snapshot that a generator decodes with while the original grows. */
  public CharVocabulary copy() {
    CharVocabulary copy = new CharVocabulary();
    for (int id = 1; id < codePoints.size(); id++) {
      copy.add(codePoints.get(id));
    }
    return copy;
  }

  /** Writes the code points in id order, end-of-sequence's newline first. */
  public void writeTo(DataOutput out) throws IOException {
    out.writeInt(FORMAT_VERSION);
    out.writeInt(codePoints.size());
    for (int codePoint : codePoints) {
      out.writeInt(codePoint);
    }
  }

  /**
   * A vocabulary written by {@link #writeTo}: every character keeps its id.
   *
   * @throws IOException when the input is truncated, of another format version, does not start with the newline,
   *                     or holds an invalid or repeated code point
   */
  public static CharVocabulary readFrom(DataInput in) throws IOException {
    StateFormat.readIntVersion(in, FORMAT_VERSION, "vocabulary");
    int size = StateFormat.readInt(in, 1, Character.MAX_CODE_POINT + 1, "vocabulary size");
    StateFormat.require(in.readInt() == NEWLINE, "vocabulary: id " + EOS + " is not the newline");
    CharVocabulary vocabulary = new CharVocabulary();
    for (int id = 1; id < size; id++) {
      int codePoint = in.readInt();
      StateFormat.require(Character.isValidCodePoint(codePoint),
          "vocabulary: id " + id + " has invalid code point " + codePoint);
      StateFormat.require(!vocabulary.contains(codePoint),
          "vocabulary: code point U+%04X repeated at id %d".formatted(codePoint, id));
      vocabulary.add(codePoint);
    }
    return vocabulary;
  }

  @JsonValue
  public byte[] toWireBytes() {
    return StateFormat.toBytes(this::writeTo);
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static CharVocabulary fromWireBytes(byte[] bytes) throws IOException {
    return WireBytes.read(bytes, CharVocabulary::readFrom, "vocabulary");
  }

  /** The number of ids in use, end-of-sequence included. */
  public int size() {
    return codePoints.size();
  }

  /** The id of {@code codePoint}, or -1 when it has none yet. */
  public int idOf(int codePoint) {
    Integer id = ids.get(codePoint);
    return id == null ? -1 : id;
  }

  public boolean contains(int codePoint) {
    return ids.containsKey(codePoint);
  }

  /** The id of {@code codePoint}, giving it the next free id when it is new. */
  public int add(int codePoint) {
    Integer known = ids.get(codePoint);
    if (known != null) {
      return known;
    }
    int id = codePoints.size();
    codePoints.add(codePoint);
    ids.put(codePoint, id);
    return id;
  }

  /** The code point of {@code id}; {@code '\n'} for end-of-sequence. */
  public int codePoint(int id) {
    return codePoints.get(id);
  }

  /** The ids of every character of {@code text}; fails on a character the vocabulary does not know. */
  public int[] encode(CharSequence text) {
    return text.codePoints()
        .map(cp -> {
          int id = idOf(cp);
          if (id < 0) {
            throw new IllegalArgumentException("character U+%04X is not in the vocabulary".formatted(cp));
          }
          return id;
        })
        .toArray();
  }

  /** The text of {@code ids}, end-of-sequence written as {@code '\n'}. */
  public String decode(int[] ids) {
    StringBuilder text = new StringBuilder(ids.length);
    for (int id : ids) {
      text.appendCodePoint(codePoint(id));
    }
    return text.toString();
  }
}
