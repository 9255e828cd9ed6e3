package io.rill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rill.testing.KafkaBrokerExtension;
import io.rill.testing.TestKafka;
import io.rill.testing.TestNodes;
import io.rill.text.BundledText;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * `rill demo` feeds every bundled record (and a labelled file's sentences and a parallel file's pairs), shows its progress, and with
 * --exit-when-done ends once all is committed.
 */
@ExtendWith(KafkaBrokerExtension.class)
class DemoIT {

    @Test
    void theDemoFeedsTheBundledDataAndEndsWhenEverythingIsCommitted(TestKafka kafka, @TempDir Path dir) throws Exception {
        TestNodes.Topics topics = TestNodes.topics("demo");
        Path config = TestNodes.writeConfig(dir.resolve("demo.conf"), kafka, topics, "");
        List<String> labelled = new ArrayList<>();
        for (int i = 0; i < 45; i++) { // label<TAB>fold<TAB>sentence, as MR's file: the fold is dropped
            labelled.add((i % 2 == 0 ? "pos\t" : "neg\t") + (i % 10) + "\t" + (i % 2 == 0 ? "a fine film" : "a dull film"));
        }
        Path mr = Files.write(dir.resolve("mr.tsv"), labelled);
        List<String> parallel = new ArrayList<>();
        for (int i = 0; i < 20; i++) { // split<TAB>english<TAB>french<TAB>attribution, as the shared eng-fra.tsv
            parallel.add((i < 17 ? "train" : "test") + "\tGo " + i + ".\tVa " + i + ".\tCC-BY");
        }
        Path pairs = Files.write(dir.resolve("pairs.tsv"), parallel);
        PrintStream stdout = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = new CommandLine(new RillCli()).execute("demo", "-c", config.toString(), "--rate", "20000", "--passes", "1", "--no-jmx",
                    "--exit-when-done", "--refresh-ms", "250", "--labelled", mr.toString(),
                    "--parallel", pairs.toString());
        } finally {
            System.setOut(stdout);
        }
        String output = captured.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(output).isZero();
        long names = (BundledText.lines(BundledText.NAMES).size() + 3) / 4;
        long paragraphs = BundledText.paragraphs(BundledText.lines(BundledText.MOBY_DICK)).size();
        assertThat(output).contains("feeding [").contains("100%")
                .contains("demo: all " + (names + paragraphs + 5 + 3) + " records fed, taken in and committed.") // 17 pairs, 8 a record
                .contains(topics.names()).contains(topics.corpus()).contains(topics.labelled()).contains(topics.parallel())
                .contains("classifier mr:");
        assertThat(paragraphs).isGreaterThan(2000);
    }
}
