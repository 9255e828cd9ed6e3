package io.rill.generate;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.japi.Pair;
import akka.kafka.CommitterSettings;
import akka.kafka.ConsumerMessage;
import akka.kafka.ConsumerSettings;
import akka.kafka.ProducerMessage;
import akka.kafka.ProducerSettings;
import akka.kafka.Subscriptions;
import akka.kafka.javadsl.Committer;
import akka.kafka.javadsl.Consumer;
import akka.kafka.javadsl.Producer;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import io.rill.ops.GenerationMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The generation service over Kafka: it reads requests from the requests topic, checks them, asks the named model's
 * {@link Generator}, and writes each reply (or error reply, with the reason) to the replies topic keyed by the
 * request id. A request's offset is committed once its reply is written, so a request is answered at least once
 * whatever fails; a broker outage restarts the stream from the committed offsets with backoff. Nothing a request
 * contains can stop the stream: every failure becomes an error reply and a counter.
 */
public final class GenerationService {

    private static final Logger log = LoggerFactory.getLogger(GenerationService.class);

    private final AtomicReference<Consumer.Control> control;
    private final UniqueKillSwitch killSwitch;
    private final CompletionStage<Done> done;

    private GenerationService(AtomicReference<Consumer.Control> control, UniqueKillSwitch killSwitch,
                              CompletionStage<Done> done) {
        this.control = control;
        this.killSwitch = killSwitch;
        this.done = done;
    }

    /** What a request became: the reply record's key and value, and the request's Kafka timestamp. */
    private record Reply(byte[] key, byte[] value, long requestTimestamp) {
    }

    public static GenerationService start(ActorSystem<?> system, GenerationSettings settings, String bootstrap,
                                          Map<String, String> clientProperties, RestartSettings restartSettings,
                                          Map<String, ActorRef<Generator.Command>> generators,
                                          GenerationMetrics metrics) {
        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings
                .create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withBootstrapServers(bootstrap)
                .withGroupId(settings.groupId())
                .withProperties(clientProperties);
        ProducerSettings<byte[], byte[]> producerSettings = ProducerSettings
                .create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withBootstrapServers(bootstrap)
                .withProperties(clientProperties)
                .withProperty("acks", "all")
                .withProperty("linger.ms", "0"); // a reply is awaited by someone: send it now
        CommitterSettings committerSettings = CommitterSettings.create(system);
        GenerationRequestParser parser = new GenerationRequestParser(settings.limits());
        AtomicReference<Consumer.Control> control = new AtomicReference<>(Consumer.createNoopControl());

        Source<Done, NotUsed> restarting = RestartSource.onFailuresWithBackoff(restartSettings, () ->
                Consumer.committableSource(consumerSettings, Subscriptions.topics(settings.requestsTopic()))
                        .mapMaterializedValue(c -> {
                            control.set(c);
                            return c;
                        })
                        .mapAsync(settings.parallelism(), message -> answer(system, settings, parser, generators,
                                metrics, message.record()).thenApply(reply -> ProducerMessage.single(
                                new ProducerRecord<>(settings.repliesTopic(), reply.key(), reply.value()),
                                Pair.create(message.committableOffset(), reply.requestTimestamp()))))
                        .via(Producer.flexiFlow(producerSettings))
                        .map(result -> {
                            Pair<ConsumerMessage.CommittableOffset, Long> sent = result.passThrough();
                            metrics.answered(Math.max(0, System.currentTimeMillis() - sent.second()));
                            return (ConsumerMessage.Committable) sent.first();
                        })
                        .via(Committer.flow(committerSettings))
                        .map(done -> Done.getInstance()));
        Pair<UniqueKillSwitch, CompletionStage<Done>> running = restarting
                .viaMat(KillSwitches.single(), Keep.right())
                .toMat(Sink.ignore(), Keep.both())
                .run(system);
        log.info("answering generation requests from {} on {} for models {}", settings.requestsTopic(),
                settings.repliesTopic(), generators.keySet());
        return new GenerationService(control, running.first(), running.second());
    }

    /** The reply to one request record: never fails, whatever the record holds. */
    private static CompletionStage<Reply> answer(ActorSystem<?> system, GenerationSettings settings,
                                                 GenerationRequestParser parser,
                                                 Map<String, ActorRef<Generator.Command>> generators,
                                                 GenerationMetrics metrics, ConsumerRecord<byte[], byte[]> record) {
        metrics.request();
        long timestamp = record.timestamp();
        ParsedRequest parsed = parser.parse(record.value());
        if (parsed instanceof ParsedRequest.Invalid invalid) {
            return CompletableFuture.completedFuture(error(invalid.id(), invalid.error(), metrics, timestamp));
        }
        GenerationRequest request = ((ParsedRequest.Valid) parsed).request();
        ActorRef<Generator.Command> generator = generators.get(request.model());
        if (generator == null) {
            return CompletableFuture.completedFuture(error(request.id(), new GenerationError(ErrorCode.UNKNOWN_MODEL,
                    "no model named \"" + request.model() + "\"; this node has " + generators.keySet()),
                    metrics, timestamp));
        }
        CompletionStage<Generator.Outcome> outcome = AskPattern.ask(generator,
                replyTo -> new Generator.Generate(request, replyTo), settings.timeout(), system.scheduler());
        return outcome.handle((result, failure) -> {
            if (failure != null) {
                return error(request.id(), new GenerationError(ErrorCode.INTERNAL,
                        "no answer from model \"" + request.model() + "\" within " + settings.timeout()), metrics,
                        timestamp);
            }
            if (result instanceof Generator.Refused refused) {
                return error(request.id(), refused.error(), metrics, timestamp);
            }
            Generator.Generated generated = (Generator.Generated) result;
            metrics.replied(generated.samples().size());
            return new Reply(key(request.id()), GenerationJson.reply(request.id(), generated.model(),
                    generated.version(), generated.samples(), generated.attempts()), timestamp);
        });
    }

    private static Reply error(String id, GenerationError error, GenerationMetrics metrics, long timestamp) {
        metrics.error(error.code().wireName());
        return new Reply(key(id), GenerationJson.error(id, error), timestamp);
    }

    private static byte[] key(String id) {
        return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
    }

    /** Stops reading requests, gives the replies in flight {@code drain} to be written and committed, then stops. */
    public CompletionStage<Done> stop(Duration drain) {
        Consumer.Control current = control.get();
        return current.stop()
                .thenCompose(stopped -> CompletableFuture.supplyAsync(Done::getInstance,
                        CompletableFuture.delayedExecutor(drain.toMillis(), TimeUnit.MILLISECONDS)))
                .thenCompose(waited -> current.shutdown())
                .whenComplete((d, e) -> killSwitch.shutdown());
    }
}
