package io.rill.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bridge's rules: which attributes, which names, counter or gauge, which tags; and that it reads the bean. */
class MeterBridgeTest {

    /** A bean interface as a future learner might write it, extending a shared one. */
    public interface BaseMBean {
        @Counter
        long getRequests();

        double getRequestLatencyP99Millis();
    }

    public interface ClassifierMBean extends BaseMBean {
        @Counter
        long getExamplesTrained();

        double getHeldOutAccuracy();

        int getLabels();

        boolean isLearning();

        String getLatestLabels();

        long[] getConfusion();

        /** An operation, not an attribute. */
        String classify(String text);

        /** Names the Prometheus client would strip or read as another kind. */
        long getLabelInfo();

        long getTotal();
    }

    public static final class Classifier implements ClassifierMBean {
        final AtomicLong trained = new AtomicLong();
        volatile double accuracy = Double.NaN;

        @Override
        public long getRequests() {
            return 3;
        }

        @Override
        public double getRequestLatencyP99Millis() {
            return 1.5;
        }

        @Override
        public long getExamplesTrained() {
            return trained.get();
        }

        @Override
        public double getHeldOutAccuracy() {
            return accuracy;
        }

        @Override
        public int getLabels() {
            return 4;
        }

        @Override
        public boolean isLearning() {
            return true;
        }

        @Override
        public String getLatestLabels() {
            return "a b";
        }

        @Override
        public long[] getConfusion() {
            return new long[] {1, 2};
        }

        @Override
        public String classify(String text) {
            return "a";
        }

        @Override
        public long getLabelInfo() {
            return 7;
        }

        @Override
        public long getTotal() {
            return 8;
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Jmx jmx = new Jmx(registry);

    @AfterEach
    void close() {
        jmx.close();
        registry.close();
    }

    @Test
    void attributeNamesAreSnakeCase() {
        assertThat(MeterBridge.snake("RecordsIn")).isEqualTo("records_in");
        assertThat(MeterBridge.snake("RequestLatencyP50Millis")).isEqualTo("request_latency_p50_millis");
        assertThat(MeterBridge.snake("StalenessP99")).isEqualTo("staleness_p99");
        assertThat(MeterBridge.snake("MalformedUtf8")).isEqualTo("malformed_utf8");
        assertThat(MeterBridge.snake("HTTPRequests")).isEqualTo("http_requests");
        assertThat(MeterBridge.snake("Total")).isEqualTo("total");
    }

    @Test
    void onlyNumbersAndBooleansAreAttributesAndCountersAreMarked() {
        assertThat(MeterBridge.attributes(ClassifierMBean.class))
                .extracting(MeterBridge.Attribute::name, MeterBridge.Attribute::counter)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ExamplesTrained", true),
                        org.assertj.core.groups.Tuple.tuple("HeldOutAccuracy", false),
                        org.assertj.core.groups.Tuple.tuple("LabelInfo", false),
                        org.assertj.core.groups.Tuple.tuple("Labels", false),
                        org.assertj.core.groups.Tuple.tuple("Learning", false),
                        org.assertj.core.groups.Tuple.tuple("RequestLatencyP99Millis", false),
                        org.assertj.core.groups.Tuple.tuple("Requests", true), // marked on the interface it extends
                        org.assertj.core.groups.Tuple.tuple("Total", false));
    }

    @Test
    void aBeanRegisteredThroughJmxIsOnTheMetricsWithItsTags() throws Exception {
        Classifier bean = new Classifier();
        jmx.register(bean, ClassifierMBean.class, Jmx.name("type=Classifier,model=reviews"));
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("# TYPE rill_classifier_examples_trained_total counter")
                .contains("rill_classifier_examples_trained_total{model=\"reviews\"} 0.0")
                .contains("# TYPE rill_classifier_held_out_accuracy gauge")
                .contains("rill_classifier_held_out_accuracy{model=\"reviews\"} NaN")
                .contains("rill_classifier_labels{model=\"reviews\"} 4.0")
                .contains("rill_classifier_learning{model=\"reviews\"} 1.0")
                .contains("rill_classifier_requests_total{model=\"reviews\"} 3.0")
                .contains("rill_classifier_request_latency_p99_millis{model=\"reviews\"} 1.5")
                // reserved suffixes keep their figure under a name of their own
                .contains("rill_classifier_label_info_value{model=\"reviews\"} 7.0")
                .contains("rill_classifier_total_value{model=\"reviews\"} 8.0")
                .contains("# HELP rill_classifier_labels JMX rill:type=Classifier Labels")
                .doesNotContain("latest_labels").doesNotContain("confusion").doesNotContain("classify");
    }

    @Test
    void theMetersReadTheBeanItselfNothingIsCountedTwice() {
        Classifier bean = new Classifier();
        jmx.register(bean, ClassifierMBean.class, Jmx.name("type=Classifier,model=reviews"));
        bean.trained.set(12345);
        bean.accuracy = 0.75;
        assertThat(registry.scrape())
                .contains("rill_classifier_examples_trained_total{model=\"reviews\"} 12345.0")
                .contains("rill_classifier_held_out_accuracy{model=\"reviews\"} 0.75");
    }

    @Test
    void ingestBeansAreTaggedByTopicAndPartitionUnquoted() throws Exception {
        NodeStatus status = new NodeStatus("embedded", "127.0.0.1:9092", 5, jmx);
        status.stream("rill.text.corpus", 1).accepted(10, 100, 1000, 3, 50);
        status.stream("a topic:odd", 0); // quoted in its JMX name
        String scrape = registry.scrape();
        assertThat(scrape)
                .contains("rill_ingest_records_in_total{partition=\"1\",topic=\"rill.text.corpus\"} 10.0")
                .contains("rill_ingest_tokens_in_total{partition=\"1\",topic=\"rill.text.corpus\"} 100.0")
                .contains("rill_ingest_consumer_lag{partition=\"1\",topic=\"rill.text.corpus\"} -1.0")
                .contains("rill_ingest_records_in_total{partition=\"0\",topic=\"a topic:odd\"} 0.0")
                .contains("rill_node_broker_start_millis 5.0")
                .contains("rill_node_ingest_restarts_total 0.0")
                .contains("rill_deadletters_total 0.0") // DeadLetters.Total is a counter: keeps its name
                .contains("rill_deadletters_null_value_total 0.0");
    }

    @Test
    void unregisteringOrReplacingABeanTakesItsMetersAlong() throws Exception {
        ObjectName name = Jmx.name("type=Classifier,model=reviews");
        Classifier first = new Classifier();
        first.trained.set(1);
        jmx.register(first, ClassifierMBean.class, name);
        Classifier second = new Classifier();
        second.trained.set(2);
        jmx.register(second, ClassifierMBean.class, name);
        assertThat(registry.scrape()).contains("rill_classifier_examples_trained_total{model=\"reviews\"} 2.0")
                .doesNotContain("rill_classifier_examples_trained_total{model=\"reviews\"} 1.0");
        jmx.close();
        assertThat(registry.scrape()).doesNotContain("rill_classifier");
    }
}
