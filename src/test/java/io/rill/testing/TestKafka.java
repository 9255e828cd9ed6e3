package io.rill.testing;

import java.util.Map;
import java.util.Properties;

/**
 * The broker a test runs against: its bootstrap address, what it is (a container or the embedded broker), and the
 * properties a client needs beyond the address (a login, for a broker that wants one; none for the shared one).
 */
public record TestKafka(String bootstrapServers, String kind, Map<String, String> clientProperties) {

    public TestKafka(String bootstrapServers, String kind) {
        this(bootstrapServers, kind, Map.of());
    }

    /** What every test client starts from: the address and the client properties. */
    public Properties clientConfig() {
        Properties props = new Properties();
        props.putAll(clientProperties);
        props.put("bootstrap.servers", bootstrapServers);
        return props;
    }
}
