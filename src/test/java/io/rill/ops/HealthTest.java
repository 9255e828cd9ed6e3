package io.rill.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The health report and the HTTP endpoint's routing. */
class HealthTest {

    @Test
    void upOnlyWhenEveryPartIsAndAFailingCheckIsDown() throws Exception {
        Health health = new Health()
                .check("ingest", () -> Health.Part.up("consuming", "2 partitions"))
                .check("broker", () -> Health.Part.up("connected", "1 broker"));
        assertThat(health.report().up()).isTrue();
        health.check("learners", () -> {
            throw new IllegalStateException("boom");
        });
        Health.Report report = health.report();
        assertThat(report.up()).isFalse();
        JsonNode json = new ObjectMapper().readTree(report.json());
        assertThat(json.path("status").asText()).isEqualTo("down");
        assertThat(json.path("parts").fieldNames()).toIterable().containsExactly("ingest", "broker", "learners");
        assertThat(json.path("parts").path("learners").path("status").asText()).isEqualTo("down");
        assertThat(json.path("parts").path("learners").path("detail").asText()).contains("boom");
        assertThat(json.path("parts").path("ingest").path("state").asText()).isEqualTo("consuming");
    }

    @Test
    void theEndpointServesItsRoutesExactlyAndOnlyGet() throws Exception {
        try (HttpEndpoint http = HttpEndpoint.start(new HttpSettings(true, "127.0.0.1", 0))) {
            http.route("/echo", "echoes ?say=", e -> e.text(200, "said " + e.query("say") + "\n"));
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://" + http.address();
            HttpResponse<String> echo = client.send(HttpRequest.newBuilder(URI.create(base + "/echo?say=a%20b")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(echo.statusCode()).isEqualTo(200);
            assertThat(echo.body()).isEqualTo("said a b\n");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/echoes")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            HttpResponse<String> index = client.send(HttpRequest.newBuilder(URI.create(base + "/")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(index.body()).contains("/echo").contains("echoes ?say=");
            assertThat(client.send(HttpRequest.newBuilder(URI.create(base + "/echo"))
                    .POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
        }
    }
}
