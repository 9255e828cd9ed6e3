package io.rill.cluster;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.BehaviorInterceptor;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.Props;
import akka.actor.typed.Signal;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.TypedActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import io.rill.checkpoint.EntityStateStore;
import io.rill.ops.ClusterMetrics;
import io.rill.ps.Placement;
import io.rill.learn.Spawner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parameter servers of a cluster: each kind is a Cluster Sharding entity type, each server an entity (by kind
 * and id: "char-model"/"names", "skipgram-shard"/"3"), started on first use on the node the shard coordinator picks.
 *
 * <p>Where its state goes: an entity restores from its own {@link EntityStateStore} under the shared directory
 * (<i>shared checkpoint directory</i>, not a handoff of the state in messages: a node killed without warning hands
 * nothing over, and the directory serves both cases alike). It writes there every {@code save-interval}, and when
 * Cluster Sharding moves it (a rebalance, a node leaving) it receives its kind's save-and-stop message, writes, and
 * stops; the next node starts it from that file. After a node dies, its entities restart from their last periodic
 * write.
 */
public final class ShardedPlacement implements Placement {

    private static final Logger log = LoggerFactory.getLogger(ShardedPlacement.class);

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Spawner spawner;
    private final Path directory;
    private final Duration saveInterval;
    private final int keep;
    private final Executor writer;
    private final ClusterMetrics metrics;

    public ShardedPlacement(ActorSystem<?> system, Spawner spawner, Path directory,
                            Duration saveInterval, int keep, ClusterMetrics metrics) {
        this.system = system;
        this.sharding = ClusterSharding.get(system);
        this.spawner = spawner;
        this.directory = directory;
        this.saveInterval = saveInterval;
        this.keep = keep;
        this.writer = system.dispatchers().lookup(DispatcherSelector.blocking());
        this.metrics = metrics;
    }

    @Override
    public <T> Map<String, ActorRef<T>> place(Kind<T> kind, List<String> ids, Factory<T> factory) {
        EntityTypeKey<T> key = EntityTypeKey.create(kind.protocol(), kind.name());
        sharding.init(Entity.of(key, context -> entity(kind, context.getEntityId(), factory))
                .withStopMessage(kind.saveAndStopMessage()));
        Map<String, ActorRef<T>> refs = new LinkedHashMap<>();
        for (String id : ids) {
            refs.put(id, spawner.spawn(EntityProxy.create(sharding.entityRefFor(key, id)),
                    kind.name() + "-" + id + "-proxy", Props.empty()));
        }
        return refs;
    }

    /** Where the states of entity {@code id} of {@code kind} are kept. */
    public static Path entityDirectory(Path entitiesDirectory, String kind, String id) {
        return entitiesDirectory.resolve(kind).resolve(id);
    }

    /** Tells the metrics when an entity stops here (handed over, or its node leaving). */
    private final class StoppedNotice<T> extends BehaviorInterceptor<T, T> {
        private final Kind<T> kind;
        private final String id;

        StoppedNotice(Kind<T> kind, String id) {
            super(kind.protocol());
            this.kind = kind;
            this.id = id;
        }

        @Override
        public Behavior<T> aroundReceive(TypedActorContext<T> context, T message, ReceiveTarget<T> target) {
            return target.apply(context, message);
        }

        @Override
        public Behavior<T> aroundSignal(TypedActorContext<T> context, Signal signal, SignalTarget<T> target) {
            if (signal instanceof PostStop) {
                metrics.entityStopped(kind.name(), id);
            }
            return target.apply(context, signal);
        }
    }

    private <T> Behavior<T> entity(Kind<T> kind, String id, Factory<T> factory) {
        return Behaviors.setup(context -> {
            EntityStateStore store = new EntityStateStore(entityDirectory(directory, kind.name(), id), keep, writer);
            byte[] restored = store.load().orElse(null);
            log.info("{} {} starts on {}: {}", kind.name(), id, system.address(), restored == null
                    ? "afresh, no saved state in " + store.directory()
                    : "from its saved state (" + restored.length + " bytes)");
            metrics.entityStarted(kind.name(), id, restored != null);
            Behavior<T> entity = Behaviors.<T>withTimers(timers -> {
                timers.startTimerWithFixedDelay(kind.saveMessage(), saveInterval);
                // A failed message must not wipe the parameters: resume.
                return Behaviors.supervise(factory.create(id, restored, store)).onFailure(SupervisorStrategy.resume());
            });
            return Behaviors.intercept(() -> new StoppedNotice<>(kind, id), entity);
        });
    }
}
