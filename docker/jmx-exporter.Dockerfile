# syntax=docker/dockerfile:1
# The Prometheus JMX exporter's standalone HTTP server, for a rill node's remote JMX (docker/jmx-exporter.yml).
# Pinned: jmx_prometheus_httpserver 0.20.0, the jar as published on Maven Central and checked against its SHA-256
# (the same jar the configuration was tried with). docker-compose.yml builds it from the docker/ directory:
#
#   docker build -f docker/jmx-exporter.Dockerfile -t rill-jmx-exporter:0.20.0 docker
#
# Arguments: [HOST:]PORT of the HTTP server and the configuration file; compose mounts docker/jmx-exporter.yml.
# JAVA_TOOL_OPTIONS takes JVM flags, e.g. -Djavax.net.ssl.trustStore=... for a node with TLS.
FROM eclipse-temurin:17-jre
ADD --checksum=sha256:19eb6ba6d5bc899cc5726d86651683e0fecb718da3190da133c48ece08d89aab --chmod=644 \
    https://repo1.maven.org/maven2/io/prometheus/jmx/jmx_prometheus_httpserver/0.20.0/jmx_prometheus_httpserver-0.20.0.jar \
    /opt/jmx-exporter/jmx_prometheus_httpserver.jar
# nobody: the exporter needs no files of its own and no privileges.
USER 65534:65534
EXPOSE 5556
ENTRYPOINT ["java", "-jar", "/opt/jmx-exporter/jmx_prometheus_httpserver.jar"]
CMD ["5556", "/etc/jmx-exporter/config.yml"]
