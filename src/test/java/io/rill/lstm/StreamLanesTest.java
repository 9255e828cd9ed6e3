package io.rill.lstm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StreamLanesTest {

  @Test
  void oneLaneReadsTheTextStraightThroughHoweverItWasCut() {
    Random random = new Random(5);
    int[] text = new int[500];
    for (int i = 0; i < text.length; i++) {
      text[i] = 1 + random.nextInt(9);
    }
    List<int[][]> whole = chunks(List.of(text), 1, 7);
    List<int[]> pieces = new ArrayList<>();
    for (int from = 0; from < text.length; ) {
      int to = Math.min(text.length, from + 1 + random.nextInt(20));
      pieces.add(Arrays.copyOfRange(text, from, to));
      from = to;
    }
    List<int[][]> cut = chunks(pieces, 1, 7);
    assertThat(cut).hasSameSizeAs(whole).hasSize((text.length + 1 - 1) / 7);
    for (int c = 0; c < whole.size(); c++) {
      assertThat(cut.get(c)).isDeepEqualTo(whole.get(c));
    }
    // Chunk k's inputs are the text from k·T − 1 on, after the leading end-of-sequence.
    assertThat(whole.get(0)[0]).startsWith(CharVocabulary.EOS, text[0], text[1]);
    assertThat(whole.get(1)[0][0]).isEqualTo(text[6]);
  }

  @Test
  void unitsGoWholeToTheEmptiestLaneAndTargetsAreInputsShiftedByOne() {
    StreamLanes lanes = new StreamLanes(3, 4);
    lanes.add(new int[] {1, 1, 1, 1, 1, 0});
    lanes.add(new int[] {2, 2, 0});
    lanes.add(new int[] {3, 3, 3, 0});
    lanes.add(new int[] {4, 0}); // lane 1 had the fewest waiting
    assertThat(lanes.backlog()).isEqualTo(15);
    assertThat(lanes.hasChunk()).isTrue();
    assertThat(lanes.inputs()).isDeepEqualTo(new int[][] {{0, 1, 1, 1}, {0, 2, 2, 0}, {0, 3, 3, 3}});
    assertThat(lanes.targets()).isDeepEqualTo(new int[][] {{1, 1, 1, 1}, {2, 2, 0, 4}, {3, 3, 3, 0}});
    lanes.advance();
    assertThat(lanes.backlog()).isEqualTo(3);
    assertThat(lanes.hasChunk()).isFalse();
    assertThatThrownBy(lanes::inputs).isInstanceOf(IllegalStateException.class);
  }

  /** Every whole chunk of one lane fed with {@code units}, as inputs followed by targets. */
  private static List<int[][]> chunks(List<int[]> units, int laneCount, int steps) {
    StreamLanes lanes = new StreamLanes(laneCount, steps);
    List<int[][]> out = new ArrayList<>();
    for (int[] unit : units) {
      lanes.add(unit);
      while (lanes.hasChunk()) {
        out.add(new int[][] {lanes.inputs()[0], lanes.targets()[0]});
        lanes.advance();
      }
    }
    return out;
  }
}
