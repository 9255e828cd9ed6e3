package io.rill.skipgram.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class EmbeddingPlotTest {
    private static final String SVG_NS = "http://www.w3.org/2000/svg";

    @TempDir
    Path dir;

    /** The known square of PcaProjectionTest, with words that need escaping and a non-ASCII one. */
    private static PcaProjection projection() {
        EmbeddingSnapshot square = PcaProjectionTest.square();
        float[] v = new float[square.size() * square.dim()];
        String[] words = {"paris", "<b&q>", "l'été", "\"x\""};
        for (int r = 0; r < square.size(); r++) {
            System.arraycopy(square.vector(square.word(r)).orElseThrow(), 0, v, r * square.dim(), square.dim());
        }
        EmbeddingSnapshot s = EmbeddingSnapshot.wrap(words, v, square.dim(), 0, 0);
        List<String> chosen = new ArrayList<>(List.of(words));
        chosen.add("atlantis");
        return PcaProjection.of(s, chosen);
    }

    private static Document parse(byte[] svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
    }

    private static List<String> texts(Document doc) {
        NodeList nodes = doc.getElementsByTagNameNS(SVG_NS, "text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add(nodes.item(i).getTextContent());
        return out;
    }

    @Test
    void isWellFormedSvgWithEveryLabelTitleLegendAndSkippedWord() throws Exception {
        PcaProjection p = projection();
        Path file = dir.resolve("plot.svg");
        EmbeddingPlot.write(file, p, "Capitals & countries", List.of());
        Document doc = parse(Files.readAllBytes(file));
        assertThat(doc.getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(doc.getDocumentElement().getNamespaceURI()).isEqualTo(SVG_NS);
        List<String> texts = texts(doc);
        assertThat(texts).contains("paris", "<b&q>", "l'été", "\"x\"", "Capitals & countries");
        assertThat(texts).contains("PC1: 90.0%", "PC2: 10.0%");
        assertThat(texts).contains("not in the vocabulary: atlantis");
        assertThat(texts).doesNotContain("atlantis");
    }

    @Test
    void drawsOneArrowPerLinkBetweenProjectedWords() throws Exception {
        PcaProjection p = projection();
        String svg = EmbeddingPlot.svg(p, "t", List.of(
                new EmbeddingPlot.Link("paris", "<b&q>"),
                new EmbeddingPlot.Link("l'été", "\"x\""),
                new EmbeddingPlot.Link("paris", "atlantis")));
        Element links = byId(parse(svg.getBytes(StandardCharsets.UTF_8)), "links");
        assertThat(links.getElementsByTagNameNS(SVG_NS, "line").getLength()).isEqualTo(2);
    }

    @Test
    void bothAxesShareOneScaleAndPointsLieInsideThePicture() throws Exception {
        PcaProjection p = projection(); // x = ±3, y = ±1 up to sign: a 6 × 2 rectangle
        Document doc = parse(EmbeddingPlot.svg(p, "t", List.of()).getBytes(StandardCharsets.UTF_8));
        NodeList circles = byId(doc, "points").getElementsByTagNameNS(SVG_NS, "circle");
        assertThat(circles.getLength()).isEqualTo(4);
        double[] cx = new double[4], cy = new double[4];
        for (int i = 0; i < 4; i++) {
            Element c = (Element) circles.item(i);
            cx[i] = Double.parseDouble(c.getAttribute("cx"));
            cy[i] = Double.parseDouble(c.getAttribute("cy"));
            assertThat(cx[i]).isBetween(0.0, 960.0);
            assertThat(cy[i]).isBetween(0.0, 720.0);
        }
        double width = Math.abs(cx[0] - cx[2]), height = Math.abs(cy[0] - cy[1]); // p–r differ in x, p–q in y
        assertThat(width / height).isCloseTo(3.0, within(0.02));
        assertThat(Math.abs(cy[0] - cy[2])).isLessThan(0.2); // same y, so same pixel row
    }

    @Test
    void niceStepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertThat(EmbeddingPlot.niceStep(0.7)).isEqualTo(1.0);
        assertThat(EmbeddingPlot.niceStep(1.3)).isEqualTo(2.0);
        assertThat(EmbeddingPlot.niceStep(3)).isEqualTo(5.0);
        assertThat(EmbeddingPlot.niceStep(0.031)).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void escapingRoundTripsThroughAnXmlParserAndDropsForbiddenCharacters() throws Exception {
        String escaped = EmbeddingPlot.escape("a<b>&\"c'\u0001😀");
        Document doc = parse(("<t>" + escaped + "</t>").getBytes(StandardCharsets.UTF_8));
        assertThat(doc.getDocumentElement().getTextContent()).isEqualTo("a<b>&\"c'\uFFFD😀");
    }

    private static Element byId(Document doc, String id) throws IOException {
        NodeList groups = doc.getElementsByTagNameNS(SVG_NS, "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (id.equals(g.getAttribute("id"))) return g;
        }
        throw new IOException("no group " + id);
    }
}
