package io.rill.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** Training curves: the recorder's files, the CSV format, and the SVG drawn from them. */
class ProgressTest {

    public interface TranslatorMBean {
        @Counter
        long getSentencesTrained();

        double getLoss();

        double getBleu();

        int getVocabularySize();

        String getLatestTranslation();
    }

    public static final class Translator implements TranslatorMBean {
        volatile long trained;
        volatile double loss = Double.NaN;

        @Override
        public long getSentencesTrained() {
            return trained;
        }

        @Override
        public double getLoss() {
            return loss;
        }

        @Override
        public double getBleu() {
            return 0.25;
        }

        @Override
        public int getVocabularySize() {
            return 100;
        }

        @Override
        public String getLatestTranslation() {
            return "x, \"y\"";
        }
    }

    @Test
    void theRecorderWritesOneFilePerModelBeanWhateverItsKind(@TempDir Path dir) throws Exception {
        try (Jmx jmx = new Jmx()) {
            Translator translator = new Translator();
            jmx.register(translator, TranslatorMBean.class, Jmx.name("type=Translator,model=en-fr"));
            NodeStatus status = new NodeStatus("embedded", "x:1", 1, jmx); // no model key: no curve
            ProgressRecorder recorder = new ProgressRecorder(jmx, new ProgressSettings(true, Duration.ofHours(1), dir));
            Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
            recorder.record(t0);
            translator.trained = 500;
            translator.loss = 2.5;
            recorder.record(t0.plusSeconds(10));
            recorder.close(); // one last row

            assertThat(recorder.curves()).extracting(ProgressRecorder.Curve::type, ProgressRecorder.Curve::model)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("Translator", "en-fr"));
            List<String> lines = Files.readAllLines(dir.resolve("Translator-en-fr.csv"));
            assertThat(lines).hasSize(4);
            assertThat(lines.get(0)).isEqualTo("time,Bleu,Loss,SentencesTrained,VocabularySize");
            assertThat(lines.get(1)).isEqualTo("2026-12-05T10:00:00Z,0.25,,0,100");
            assertThat(lines.get(2)).isEqualTo("2026-12-05T10:00:10Z,0.25,2.5,500,100");
            assertThat(status.getStreams()).isZero();
        }
    }

    @Test
    void aFileWithOtherColumnsIsMovedAsideNotMixed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("Translator-en-fr.csv"), "time,Loss\n2026-01-01T00:00:00Z,3.0\n");
        try (Jmx jmx = new Jmx()) {
            jmx.register(new Translator(), TranslatorMBean.class, Jmx.name("type=Translator,model=en-fr"));
            ProgressRecorder recorder = new ProgressRecorder(jmx, new ProgressSettings(true, Duration.ofHours(1), dir));
            recorder.record(Instant.parse("2026-12-05T10:00:00Z"));
            assertThat(Files.readAllLines(dir.resolve("Translator-en-fr.csv")).get(0))
                    .isEqualTo("time,Bleu,Loss,SentencesTrained,VocabularySize");
            assertThat(Files.readString(dir.resolve("Translator-en-fr.20261205-100000.csv")))
                    .isEqualTo("time,Loss\n2026-01-01T00:00:00Z,3.0\n");
            assertThat(recorder.curves()).hasSize(1); // the one moved aside is not a current curve
            recorder.record(Instant.parse("2026-12-05T10:00:10Z"));
            assertThat(Files.readAllLines(dir.resolve("Translator-en-fr.csv"))).hasSize(3);
        }
    }

    @Test
    void csvRoundTrip() throws Exception {
        List<MeterBridge.Attribute> attributes = MeterBridge.attributes(TranslatorMBean.class);
        Translator translator = new Translator();
        translator.trained = 7;
        translator.loss = 1.0 / 3;
        String text = ProgressCsv.header(attributes) + "\n"
                + ProgressCsv.row(Instant.parse("2026-12-05T10:00:00.250Z"), translator, attributes) + "\n";
        ProgressCsv.Table table = ProgressCsv.read(new StringReader(text));
        assertThat(table.columns()).containsExactly("Bleu", "Loss", "SentencesTrained", "VocabularySize");
        assertThat(table.times()).containsExactly(Instant.parse("2026-12-05T10:00:00.250Z"));
        assertThat(table.rows().get(0)).containsExactly(0.25, 1.0 / 3, 7, 100);
        assertThat(ProgressCsv.format(1e-7, false)).isEqualTo("1.0E-7");
        assertThat(ProgressCsv.format(Double.NaN, false)).isEmpty();
        assertThat(ProgressCsv.format(3, true)).isEqualTo("3");
        assertThatThrownBy(() -> ProgressCsv.read(new StringReader("a,b\n1,2\n"))).hasMessageContaining("time");
    }

    private static ProgressCsv.Table table(int rows, String... columns) {
        List<Instant> times = new ArrayList<>();
        List<double[]> values = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            times.add(Instant.parse("2026-12-05T10:00:00Z").plusSeconds(10L * i + (i >= rows / 2 ? 3600 : 0)));
            double[] row = new double[columns.length];
            for (int c = 0; c < columns.length; c++) {
                row[c] = c == 0 ? 3.0 / (1 + i) : i == 0 ? Double.NaN : 1000.0 * i;
            }
            values.add(row);
        }
        return new ProgressCsv.Table(List.of(columns), times, values);
    }

    @Test
    void defaultColumnsAreLossesAccuraciesAndRatesByName() {
        assertThat(ProgressPlot.defaultColumns(table(3, "HeldOutLoss", "CharactersPerSecond", "Version")))
                .containsExactly("HeldOutLoss", "CharactersPerSecond");
        assertThat(ProgressPlot.defaultColumns(table(3, "HeldOutAccuracy", "ExamplesTrained")))
                .containsExactly("HeldOutAccuracy");
        assertThat(ProgressPlot.defaultColumns(table(3, "Bleu", "Steps"))).containsExactly("Bleu");
        // nothing named so: every column that changes
        assertThat(ProgressPlot.defaultColumns(table(3, "Version", "Steps"))).containsExactly("Version", "Steps");
    }

    @Test
    void theSvgIsWellFormedWithAPanelPerColumnAndBreaksWhereTheNodeWasDown() throws Exception {
        ProgressCsv.Table table = table(40, "TrainingLoss", "CharactersPerSecond");
        String svg = ProgressPlot.svg(table, List.of("TrainingLoss", "CharactersPerSecond"), null, "names <&> model");
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getDocumentElement().getNodeName()).isEqualTo("svg");
        assertThat(doc.getElementsByTagName("path").getLength()).isEqualTo(2);
        assertThat(svg).contains("names &lt;&amp;&gt; model").contains(">TrainingLoss<").contains(">CharactersPerSecond<")
                .contains("minutes since the first sample");
        // the hour without rows in the middle breaks each line into two runs (a second "M")
        String lossPath = doc.getElementsByTagName("path").item(0).getAttributes().getNamedItem("d").getNodeValue();
        assertThat(lossPath.split("M")).hasSize(3);
        // the NaN first value of the second column is skipped, not drawn at zero
        String ratePath = doc.getElementsByTagName("path").item(1).getAttributes().getNamedItem("d").getNodeValue();
        assertThat(ratePath.split("L").length).isEqualTo(38);
    }

    @Test
    void againstAColumnInsteadOfTime(@TempDir Path dir) throws Exception {
        ProgressCsv.Table table = table(5, "Loss", "SentencesTrained");
        Path out = dir.resolve("p.svg");
        ProgressPlot.write(out, table, List.of("Loss"), "SentencesTrained", "t");
        assertThat(Files.readString(out)).contains(">SentencesTrained<");
        assertThatThrownBy(() -> ProgressPlot.svg(table, List.of("Nope"), null, "t"))
                .hasMessageContaining("no column Nope");
        assertThatThrownBy(() -> ProgressPlot.svg(new ProgressCsv.Table(List.of("Loss"), List.of(), List.of()),
                List.of("Loss"), null, "t")).hasMessageContaining("no rows");
    }
}
