package io.rill.ops;

import com.typesafe.config.Config;

/**
 * The {@code rill.http} section: whether the node serves {@code /metrics}, {@code /health} and its downloads over
 * HTTP, and on which address (loopback unless told otherwise; port 0 picks a free one). Documented in
 * application.conf.
 */
public record HttpSettings(boolean enabled, String host, int port) {

    public static HttpSettings from(Config config) {
        Config c = config.getConfig("rill.http");
        return new HttpSettings(c.getBoolean("enabled"), c.getString("host").trim(), c.getInt("port"));
    }
}
