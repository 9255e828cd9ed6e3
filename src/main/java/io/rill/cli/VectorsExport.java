package io.rill.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.node.RillSettings;
import io.rill.ops.NodeMBean;
import io.rill.skipgram.SkipGramMBean;

import javax.management.remote.JMXConnector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Brings a node's word vectors to a file where the client runs. Two ways:
 * <ul>
 *   <li><b>The node writes the file itself</b> (over JMX, as {@code exportVectors(path)}) when it shares this
 *       machine's disk: the client reads the node's instance id in the node's data directory
 *       ({@code <data-dir>/instance-id}) and finds the id the node reports. The vectors never cross a socket.</li>
 *   <li><b>The client downloads them</b> from the node's HTTP endpoint ({@code GET /vectors}) otherwise: a node in a
 *       container or on another machine, or remote JMX off. The file is streamed to a temporary name beside the
 *       target and moved into place when complete.</li>
 * </ul>
 */
final class VectorsExport {

    /** Where the vectors went, what the node or the download said, and whether the node wrote the file itself. */
    record Result(Path file, String summary, boolean writtenByNode) {
    }

    private VectorsExport() {
    }

    static Result export(RillSettings settings, NodeHttp http, NodeJmx jmx, String model, Path target, boolean binary,
                         boolean download) throws IOException {
        Path file = target.toAbsolutePath();
        JsonNode node;
        try {
            node = http.json(settings, "/node");
        } catch (NodeHttp.Refused e) {
            throw e;
        } catch (IOException httpDown) {
            // No HTTP endpoint: the node can still write the file if it shares this disk.
            return viaJmxOnly(settings, jmx, model, file, binary, httpDown);
        }
        boolean sameDisk = sharesDisk(node.path("instanceId").asText(), node.path("dataDirectory").asText());
        if (sameDisk && !download && node.path("jmx").path("enabled").asBoolean()) {
            try (JMXConnector connector = jmx.connect(settings)) {
                return writtenByNode(connector, model, file, binary);
            } catch (IOException jmxDown) {
                // fall back to the download
            }
        }
        String query = "/vectors?" + NodeHttp.query("format", binary ? "binary" : "text")
                + (model == null ? "" : "&" + NodeHttp.query("model", model));
        NodeHttp.Downloaded got = http.download(settings, query, file);
        return new Result(file, String.format(Locale.ROOT, "downloaded %s vectors of dimension %s (%s, model %s "
                        + "version %s) from %s to %s, %,d bytes; %s words not representable",
                got.header("x-rill-words"), got.header("x-rill-dimension"), binary ? "binary" : "text",
                got.header("x-rill-model"), got.header("x-rill-model-version"), http.base(settings), target, got.bytes(),
                got.header("x-rill-skipped")), false);
    }

    private static Result viaJmxOnly(RillSettings settings, NodeJmx jmx, String model, Path file, boolean binary,
                                     IOException httpDown) throws IOException {
        try (JMXConnector connector = jmx.connect(settings)) {
            NodeMBean node = NodeJmx.proxy(connector, "type=Node", NodeMBean.class);
            if (!sharesDisk(node.getInstanceId(), node.getDataDirectory())) {
                throw new IOException("the node does not share this machine's disk (it runs in a container or on "
                        + "another machine), so it cannot write " + file + " here, and its HTTP endpoint, which would "
                        + "send the vectors, does not answer: " + httpDown.getMessage());
            }
            return writtenByNode(connector, model, file, binary);
        } catch (IOException jmxDown) {
            if (jmxDown.getMessage() != null && jmxDown.getMessage().startsWith("the node does not share")) {
                throw jmxDown;
            }
            throw new IOException(httpDown.getMessage() + "; nor does remote JMX: " + jmxDown.getMessage(), jmxDown);
        }
    }

    private static Result writtenByNode(JMXConnector connector, String model, Path file, boolean binary)
            throws IOException {
        String answer = NodeJmx.modelProxy(connector, "SkipGram", model, SkipGramMBean.class)
                .exportVectors(file.toString(), binary);
        return new Result(file, answer + " (the node wrote it: it shares this disk)", true);
    }

    /** Whether this machine sees the node's data directory: the id the node wrote there is the one it reports. */
    static boolean sharesDisk(String instanceId, String dataDirectory) {
        if (instanceId == null || instanceId.isEmpty() || dataDirectory == null || dataDirectory.isEmpty()) {
            return false;
        }
        try {
            return Files.readString(Path.of(dataDirectory, "instance-id")).strip().equals(instanceId);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
