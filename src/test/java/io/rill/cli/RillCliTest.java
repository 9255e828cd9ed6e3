package io.rill.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every subcommand answers picocli's standard help option, as the top-level command does. */
class RillCliTest {

    @Test
    void theVersionIsTheBuildsAndEverySubcommandTellsIt() {
        for (String[] args : new String[][] {{"--version"}, {"run", "--version"}}) {
            StringWriter out = new StringWriter();
            CommandLine cli = new CommandLine(new RillCli());
            cli.setOut(new PrintWriter(out));
            assertThat(cli.execute(args)).isZero();
            assertThat(out.toString()).startsWith("rill 0.1.0-SNAPSHOT").doesNotContain("${");
        }
    }

    @Test
    void aNodeThatDoesNotAnswerIsOneLineNotAStackTrace() throws Exception {
        int port;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort(); // closed again: nothing listens there
        }
        StringWriter err = new StringWriter();
        CommandLine cli = RillCli.commandLine();
        cli.setErr(new PrintWriter(err));
        assertThat(cli.execute("neighbours", "whale", "--jmx", "127.0.0.1:" + port)).isEqualTo(1);
        assertThat(err.toString()).startsWith("rill: no rill node answers on JMX at 127.0.0.1:" + port)
                .doesNotContain("\tat ").hasLineCount(1);
    }

    @Test
    void everySubcommandAnswersHelp() {
        CommandLine cli = new CommandLine(new RillCli());
        assertThat(cli.getSubcommands()).containsKeys("run", "demo", "produce", "generate", "classify", "topics",
                "neighbours");
        for (String name : cli.getSubcommands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            StringWriter out = new StringWriter();
            CommandLine fresh = new CommandLine(new RillCli());
            fresh.setOut(new PrintWriter(out));
            fresh.setErr(new PrintWriter(new StringWriter()));
            int exit = fresh.execute(name, "--help");
            assertThat(exit).as("rill %s --help", name).isZero();
            String canonical = cli.getSubcommands().get(name).getCommandName(); // an alias shows the command's name
            assertThat(out.toString()).as("rill %s --help", name).contains("Usage: rill " + canonical);
        }
    }
}
