package io.rill.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** The attention map as text and as SVG: its shape, its shades, and XML that any reader takes. */
class AttentionPictureTest {

    private static final TranslatedSentence SENTENCE = new TranslatedSentence(
            List.of("tom", "<is>", "in", "boston", "."), List.of(), List.of("tom", "est", "à", "boston", "."), -1.2,
            true, new double[][] {
                    {0.9, 0.05, 0.0, 0.05, 0.0},
                    {0.1, 0.6, 0.2, 0.1, 0.0},
                    {0.0, 0.1, 0.8, 0.1, 0.0},
                    {0.0, 0.0, 0.05, 0.95, 0.0},
                    {0.0, 0.0, 0.0, 0.3, 0.7}});

    @Test
    void theGridHasAHeaderOfSourceWordsAndARowPerTargetWordShadedByWeight() {
        String grid = AttentionPicture.grid(SENTENCE, false);
        List<String> lines = grid.lines().toList();
        assertThat(lines).hasSize(2 + 5);
        assertThat(lines.get(0)).contains("tom", "<is>", "in", "boston", ".");
        assertThat(lines.get(2)).startsWith("   tom │ ███");
        assertThat(lines.get(5)).contains("██████"); // boston ← boston, 0.95, six wide
        assertThat(AttentionPicture.shade(0.05)).isEqualTo(' ');
        assertThat(AttentionPicture.shade(0.3)).isEqualTo('░');
        assertThat(AttentionPicture.shade(0.5)).isEqualTo('▒');
        assertThat(AttentionPicture.shade(0.7)).isEqualTo('▓');
        assertThat(AttentionPicture.shade(1.0)).isEqualTo('█');
        assertThat(AttentionPicture.grid(SENTENCE, true)).contains("0.95", "0.70");
    }

    @Test
    void theSvgIsWellFormedWithACellPerWeightAndEveryWordEscaped() throws Exception {
        String svg = AttentionPicture.svg(SENTENCE, null);
        Document document = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
        assertThat(svg).contains("&lt;is&gt;").doesNotContain("<is>");
        assertThat(document.getElementsByTagName("title").getLength()).isEqualTo(25);
        assertThat(svg).contains("fill=\"#0d0d0d\""); // 0.95 is nearly black
        assertThat(svg).contains("tom &lt;is&gt; in boston .  →  tom est à boston .");
    }
}
