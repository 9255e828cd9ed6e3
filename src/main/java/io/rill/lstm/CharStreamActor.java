package io.rill.lstm;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import io.rill.learn.AcceptedRecord;
import io.rill.learn.StreamLearner;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The character-model side of one (topic, partition) stream: it turns the stream's text into ids, deals it into
 * lanes ({@link StreamLanes}), and sends the worker one chunk at a time with the lanes' carried state, which it
 * replaces with the state the worker returns. This is truncated BPTT across Kafka records: the state after one
 * record's last character is the state the next record's first character sees.
 *
 * <p>A feed is acknowledged once its text is in the lanes and the lanes' untrained backlog is at most
 * {@code max-buffered-characters} (or no lane can train before more text comes): the stream's Kafka offsets advance
 * no faster than the model trains. One line in
 * {@code held-out.every} (by a hash of its text) is kept out of training and sent to the parameter server as
 * held-out data; the trained sequences are sent there too, for the in-training / new split of generated names.
 *
 * <p>State it owns: the lanes, their carried state, its copy of the character ids it has used, the highest offset
 * fed (a redelivered record is not fed twice). Lost when it stops: whatever changed since the last checkpoint, which
 * holds the lanes, the carried state and the offset ({@link StreamLearner.ExportState}).
 */
public final class CharStreamActor extends AbstractBehavior<StreamLearner.Command> {

  /** One record's offset and its lines. */
  private record FedRecord(long offset, List<String> lines) {
  }

  /** Records of the stream, in offset order; {@code replyTo} learns when they are taken in. */
  private record Feed(List<FedRecord> records, ActorRef<StreamLearner.Learned> replyTo) {
  }

  private record Encoded(long feed, CharModelData.Encoded encoded, Throwable failure)
      implements StreamLearner.Command {
  }

  private record ChunkTrained(long chunk, LstmWorker.Trained trained, Throwable failure)
      implements StreamLearner.Command {
  }

  private final String name;
  private final LstmSettings settings;
  private final boolean linePerSequence;
  private final ActorRef<CharModelData.Command> server;
  private final ActorRef<LstmWorker.Command> worker;
  private final CharModelMetrics metrics;
  private StreamLanes lanes;
  private LstmState state;
  private final Map<Integer, Integer> ids = new HashMap<>();
  private long fedOffset = -1;
  private Feed encoding;
  private long feeds;
  private ActorRef<StreamLearner.Learned> pendingAck;
  private long chunks;
  private boolean chunkInFlight;
  private ActorRef<StreamLearner.ExportedState> pendingExport;
  private boolean held;

  private static final int STATE_VERSION = 1;

  public static Behavior<StreamLearner.Command> create(String name, LstmSettings settings, boolean linePerSequence,
                                         ActorRef<CharModelData.Command> server,
                                         ActorRef<LstmWorker.Command> worker, CharModelMetrics metrics) {
    return create(name, settings, linePerSequence, server, worker, metrics, null);
  }

  /** A stream actor that starts from {@code restored} (the bytes of an {@link StreamLearner.ExportState}) unless it is null. */
  public static Behavior<StreamLearner.Command> create(String name, LstmSettings settings, boolean linePerSequence,
                                         ActorRef<CharModelData.Command> server,
                                         ActorRef<LstmWorker.Command> worker, CharModelMetrics metrics,
                                         byte[] restored) {
    return Behaviors.setup(context -> new CharStreamActor(context, name, settings, linePerSequence, server, worker,
        metrics, restored));
  }

  private CharStreamActor(ActorContext<StreamLearner.Command> context, String name, LstmSettings settings, boolean linePerSequence,
                          ActorRef<CharModelData.Command> server, ActorRef<LstmWorker.Command> worker,
                          CharModelMetrics metrics, byte[] restored) throws IOException {
    super(context);
    this.name = name;
    this.settings = settings;
    this.linePerSequence = linePerSequence;
    this.server = server;
    this.worker = worker;
    this.metrics = metrics;
    ids.put((int) '\n', CharVocabulary.EOS); // running text's newline is the end-of-sequence id
    if (restored == null) {
      this.lanes = new StreamLanes(settings.lanesPerStream(), settings.bpttSteps());
      this.state = LstmState.zeros(settings.architecture(), settings.lanesPerStream());
    } else {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(restored));
      int format = in.readInt();
      if (format != STATE_VERSION) {
        throw new IOException("char stream " + name + ": state format " + format + ", expected " + STATE_VERSION);
      }
      this.fedOffset = in.readLong();
      this.lanes = StreamLanes.readFrom(in, settings.lanesPerStream(), settings.bpttSteps(), settings.maxVocabulary());
      this.state = LstmState.readFrom(in, settings.architecture(), settings.lanesPerStream());
    }
  }

  @Override
  public Receive<StreamLearner.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(StreamLearner.Learn.class, learn -> onFeed(feedOf(learn)))
        .onMessage(Encoded.class, this::onEncoded)
        .onMessage(ChunkTrained.class, this::onChunkTrained)
        .onMessage(StreamLearner.ExportState.class, this::onExportState)
        .onMessageEquals(StreamLearner.Resume.INSTANCE, this::onResume)
        .build();
  }

  /** A batch's records as lines of text (the characters tokenizer gives a line's code points one by one). */
  private static Feed feedOf(StreamLearner.Learn learn) {
    List<FedRecord> records = new ArrayList<>(learn.records().size());
    for (AcceptedRecord record : learn.records()) {
      records.add(new FedRecord(record.offset(), record.text().lines().stream()
          .map(characters -> String.join("", characters)).toList()));
    }
    return new Feed(records, learn.replyTo());
  }

  private Behavior<StreamLearner.Command> onFeed(Feed feed) {
    Set<Integer> unknown = new LinkedHashSet<>();
    for (FedRecord record : feed.records()) {
      if (record.offset() > fedOffset) {
        for (String line : record.lines()) {
          line.codePoints().filter(cp -> !ids.containsKey(cp)).forEach(unknown::add);
        }
      }
    }
    if (unknown.isEmpty()) {
      return take(feed);
    }
    encoding = feed;
    long feedNumber = ++feeds;
    int[] codePoints = unknown.stream().mapToInt(Integer::intValue).toArray();
    getContext().ask(CharModelData.Encoded.class, server, settings.stepTimeout(),
        replyTo -> new CharModelData.Encode(codePoints, replyTo),
        (encoded, failure) -> new Encoded(feedNumber, encoded, failure));
    return this;
  }

  private Behavior<StreamLearner.Command> onEncoded(Encoded message) {
    if (message.feed() != feeds || encoding == null) {
      return this;
    }
    Feed feed = encoding;
    encoding = null;
    if (message.failure() != null) {
      // The parameter server did not answer: no acknowledgement, so the stream re-reads the records.
      getContext().getLog().warn("stream {}: no character ids from the parameter server: {}", name,
          message.failure().toString());
      return this;
    }
    CharModelData.Encoded encoded = message.encoded();
    for (int i = 0; i < encoded.codePoints().length; i++) {
      ids.put(encoded.codePoints()[i], encoded.ids()[i]);
    }
    return take(feed);
  }

  /** Every character has an id (or -1: the vocabulary is full): into the lanes, and on to the model. */
  private Behavior<StreamLearner.Command> take(Feed feed) {
    List<String> trained = new ArrayList<>();
    List<int[]> heldOut = new ArrayList<>();
    long dropped = 0;
    long sequences = 0;
    for (FedRecord record : feed.records()) {
      if (record.offset() <= fedOffset) {
        continue; // a redelivered record already in the lanes
      }
      fedOffset = record.offset();
      if (linePerSequence) {
        for (String line : record.lines()) {
          if (line.isEmpty()) {
            continue;
          }
          sequences++;
          int[] unit = encode(line, true);
          dropped += line.codePointCount(0, line.length()) - (unit.length - 1);
          if (isHeldOut(line)) {
            heldOut.add(unit);
          } else {
            lanes.add(unit);
            trained.add(line);
          }
        }
      } else {
        String text = String.join("\n", record.lines()) + "\n";
        sequences++;
        int[] unit = encode(text, false);
        dropped += text.codePointCount(0, text.length()) - unit.length;
        if (isHeldOut(text)) {
          heldOut.add(unit);
        } else {
          lanes.add(unit);
          trained.addAll(record.lines());
        }
      }
    }
    metrics.dropped(dropped);
    metrics.sequences(sequences, heldOut.size());
    if (!trained.isEmpty() || !heldOut.isEmpty()) {
      server.tell(new CharModelData.Observe(trained, heldOut));
    }
    pendingAck = feed.replyTo();
    sendChunk();
    acknowledgeIfRoom();
    return this;
  }

  private Behavior<StreamLearner.Command> onChunkTrained(ChunkTrained message) throws IOException {
    if (message.chunk() != chunks || !chunkInFlight) {
      return this; // the late answer to a chunk already sent again
    }
    chunkInFlight = false;
    if (message.failure() == null) {
      state = message.trained().state();
      lanes.advance();
    } else {
      getContext().getLog().warn("stream {}: chunk {} not trained, sending it again: {}", name, message.chunk(),
          message.failure().toString());
    }
    exportIfStill();
    sendChunk();
    acknowledgeIfRoom();
    return this;
  }

  private Behavior<StreamLearner.Command> onExportState(StreamLearner.ExportState export) throws IOException {
    pendingExport = export.replyTo();
    held = true;
    exportIfStill();
    return this;
  }

  private Behavior<StreamLearner.Command> onResume() {
    held = false;
    pendingExport = null;
    sendChunk();
    acknowledgeIfRoom();
    return this;
  }

  /** Answers a pending export once no chunk is out: the lanes and the carried state then match the model. */
  private void exportIfStill() throws IOException {
    if (pendingExport == null || chunkInFlight) {
      return;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(STATE_VERSION);
    out.writeLong(fedOffset);
    lanes.writeTo(out);
    state.writeTo(out);
    out.flush();
    pendingExport.tell(new StreamLearner.ExportedState(bytes.toByteArray()));
    pendingExport = null;
  }

  private void sendChunk() {
    if (chunkInFlight || held || !lanes.hasChunk()) {
      return;
    }
    chunkInFlight = true;
    long chunk = ++chunks;
    int[][] inputs = lanes.inputs();
    int[][] targets = lanes.targets();
    LstmState carried = state;
    getContext().ask(LstmWorker.Trained.class, worker, settings.stepTimeout(),
        replyTo -> new LstmWorker.Train(name, inputs, targets, carried, replyTo),
        (trained, failure) -> new ChunkTrained(chunk, trained, failure));
  }

  /**
   * Acknowledges the pending feed once the backlog is within bounds, or when nothing can be trained until more text
   * arrives (one lane holds a long line, the others wait for text): waiting for a backlog that cannot drain would
   * stall the partition.
   */
  private void acknowledgeIfRoom() {
    boolean starving = !chunkInFlight && !lanes.hasChunk();
    if (pendingAck != null && (lanes.backlog() <= settings.maxBufferedCharacters() || starving)) {
      pendingAck.tell(new StreamLearner.Learned(fedOffset));
      pendingAck = null;
    }
  }

  /** The ids of {@code text}'s characters that have one, and end-of-sequence after them when asked. */
  private int[] encode(String text, boolean endOfSequence) {
    int[] out = new int[text.length() + 1];
    int n = 0;
    for (int i = 0; i < text.length(); ) {
      int codePoint = text.codePointAt(i);
      i += Character.charCount(codePoint);
      int id = ids.getOrDefault(codePoint, -1);
      if (id >= 0) {
        out[n++] = id;
      }
    }
    if (endOfSequence) {
      out[n++] = CharVocabulary.EOS;
    }
    return Arrays.copyOf(out, n);
  }

  private boolean isHeldOut(String text) {
    if (!settings.holdsOut()) {
      return false;
    }
    int hash = text.hashCode() * 0x9E3779B9; // String.hashCode is fixed by the Java spec, so the split is stable
    return Integer.remainderUnsigned(hash ^ (hash >>> 16), settings.heldOutEvery()) == 0;
  }
}
