package io.rill.request;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request path of one kind of request (generation, classification, translation) over Kafka: it reads requests
 * from the requests topic, checks them ({@link RequestReader}), asks the named model's {@link RequestHandler}, and
 * writes each reply (or error reply, with the reason) to the replies topic keyed by the request id. A request's
 * offset is committed once its reply is written, so a request is answered at least once whatever fails; a broker
 * outage restarts the stream from the committed offsets with backoff. Nothing a request contains can stop the
 * stream: every failure becomes an error reply and a counter.
 */
public final class RequestService {

    private static final Logger log = LoggerFactory.getLogger(RequestService.class);

    private final AtomicReference<Consumer.Control> control;
    private final UniqueKillSwitch killSwitch;

    private RequestService(AtomicReference<Consumer.Control> control, UniqueKillSwitch killSwitch) {
        this.control = control;
        this.killSwitch = killSwitch;
    }

    /** What a request became: the reply record's key and value, and the request's Kafka timestamp. */
    private record Reply(byte[] key, byte[] value, long requestTimestamp) {
    }

    /**
     * Starts answering requests of one kind for {@code handlers}, the models that answer them by name; {@code kind}
     * names the requests in logs and messages ("generation").
     */
    public static <R extends Request> RequestService start(ActorSystem<?> system, String kind,
                                                           RequestSettings settings, RequestReader<R> reader,
                                                           Map<String, RequestHandler<R>> handlers,
                                                           RequestMetrics metrics, String bootstrap,
                                                           Map<String, String> clientProperties,
                                                           RestartSettings restartSettings) {
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
        AtomicReference<Consumer.Control> control = new AtomicReference<>(Consumer.createNoopControl());
        Map<String, RequestHandler<R>> byModel = Map.copyOf(handlers);

        Source<Done, NotUsed> restarting = RestartSource.onFailuresWithBackoff(restartSettings, () ->
                Consumer.committableSource(consumerSettings, Subscriptions.topics(settings.requestsTopic()))
                        .mapMaterializedValue(c -> {
                            control.set(c);
                            return c;
                        })
                        .mapAsync(settings.parallelism(), message -> answer(settings, reader, byModel, metrics,
                                message.record()).thenApply(reply -> ProducerMessage.single(
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
        log.info("answering {} requests from {} on {} for models {}", kind, settings.requestsTopic(),
                settings.repliesTopic(), byModel.keySet());
        return new RequestService(control, running.first());
    }

    /** The reply to one request record: never fails, whatever the record holds. */
    private static <R extends Request> CompletionStage<Reply> answer(RequestSettings settings,
                                                                     RequestReader<R> reader,
                                                                     Map<String, RequestHandler<R>> handlers,
                                                                     RequestMetrics metrics,
                                                                     ConsumerRecord<byte[], byte[]> record) {
        metrics.request();
        long timestamp = record.timestamp();
        ParsedRequest<R> parsed = reader.parse(record.value());
        if (parsed instanceof ParsedRequest.Invalid<R> invalid) {
            return CompletableFuture.completedFuture(error(invalid.id(), invalid.error(), metrics, timestamp));
        }
        R request = ((ParsedRequest.Valid<R>) parsed).request();
        RequestHandler<R> handler = handlers.get(request.model());
        if (handler == null) {
            return CompletableFuture.completedFuture(error(request.id(), new RequestError(CommonError.UNKNOWN_MODEL,
                    "no model named \"" + request.model() + "\"; this node has " + handlers.keySet()), metrics,
                    timestamp));
        }
        CompletionStage<RequestHandler.Answer> answer;
        try {
            answer = handler.answer(request).toCompletableFuture()
                    .orTimeout(settings.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((result, failure) -> {
            if (failure != null) {
                return error(request.id(), new RequestError(CommonError.INTERNAL,
                        "no answer from model \"" + request.model() + "\" within " + settings.timeout()), metrics,
                        timestamp);
            }
            if (result instanceof RequestHandler.Refused refused) {
                return error(request.id(), refused.error(), metrics, timestamp);
            }
            metrics.replied();
            return new Reply(key(request.id()), ((RequestHandler.Reply) result).json(), timestamp);
        });
    }

    private static Reply error(String id, RequestError error, RequestMetrics metrics, long timestamp) {
        metrics.error(error.code().wireName());
        return new Reply(key(id), RequestJson.error(id, error), timestamp);
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
