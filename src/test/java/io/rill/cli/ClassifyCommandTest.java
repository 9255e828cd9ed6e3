package io.rill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.rill.classify.ClassificationJson;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How `rill classify` prints a reply: plain with weights in brackets, or coloured by the weights' signs. */
class ClassifyCommandTest {

    private static final JsonNode REPLY = ClassificationJson.read(ClassificationJson.classification("r1", "mr", 7,
            List.of("pos", "neg"), new double[] {0.9, 0.1}, List.of(new ClassificationJson.Token("a", 0.01, true),
                    new ClassificationJson.Token("gripping", 0.8, true), new ClassificationJson.Token("dull", -0.5,
                            true), new ClassificationJson.Token("zorbly", 0.0, false))));

    @Test
    void plainWhenNotATerminal() {
        assertThat(ClassifyCommand.line(REPLY, false)).isEqualTo("pos  pos 0.90 neg 0.10  a(+0.01) gripping(+0.80) "
                + "dull(-0.50) zorbly(+0.00)");
    }

    @Test
    void colouredOnATerminal() {
        String line = ClassifyCommand.line(REPLY, true);
        assertThat(line).startsWith("\033[1mpos\033[0m  pos 0.90 neg 0.10  a ")
                .contains("\033[1m\033[32mgripping\033[0m") // for the label, strongest: bold green
                .contains("\033[1m\033[31mdull\033[0m") // against it: red
                .contains("\033[2mzorbly\033[0m"); // unknown to the model: dim
    }
}
