package io.rill.cli;

import io.rill.node.RillSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** rill's command line: {@code rill run | demo | produce | generate | classify | translate | topics | neighbours | ...}. */
// scope INHERIT: every subcommand answers --help and --version too, as picocli's standard options.
@Command(name = "rill", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        versionProvider = RillCli.BuildVersion.class,
        description = "A streaming, actor-based online learner for text, on Kafka and Akka.",
        subcommands = {RunCommand.class, DemoCommand.class, ProduceCommand.class, GenerateCommand.class,
                ClassifyCommand.class, TranslateCommand.class, PlotAttentionCommand.class, TopicsCommand.class,
                EmbeddingCommands.Neighbours.class, EmbeddingCommands.Analogy.class, EmbeddingCommands.Similarity.class,
                EmbeddingCommands.Export.class, EmbeddingCommands.Plot.class, PlotProgressCommand.class,
                CommandLine.HelpCommand.class})
public final class RillCli {

    /** Options every subcommand takes. */
    static final class ConfigOption {
        @Option(names = {"-c", "--config"}, paramLabel = "FILE",
                description = "A HOCON file laid over application.conf (see README for the keys).")
        Path config;

        RillSettings settings() {
            return RillSettings.load(Optional.ofNullable(config));
        }
    }

    /** The version the build wrote into {@code build.properties}, not one written into the code. */
    static final class BuildVersion implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties build = new java.util.Properties();
            try (java.io.InputStream in = RillCli.class.getResourceAsStream("build.properties")) {
                if (in != null) {
                    build.load(in);
                }
            }
            return new String[] {"rill " + build.getProperty("version", "(unknown: not built by Maven)"),
                    "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name") + " "
                            + System.getProperty("os.arch")};
        }
    }

    public static void main(String[] args) {
        int exit = commandLine().execute(args);
        if (exit != 0 || args.length == 0 || !isService(args[0])) {
            System.exit(exit);
        }
    }

    /**
     * The command line as {@link #main} runs it: an {@link java.io.IOException} (no node answers at the address, a file
     * that cannot be read or written) is the user's to fix, so it prints as one line, {@code rill: <message>}, and
     * exits 1; anything else is a bug and keeps picocli's stack trace.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new RillCli());
        CommandLine.IExecutionExceptionHandler stackTrace = cli.getExecutionExceptionHandler();
        cli.setExecutionExceptionHandler((e, command, parsed) -> {
            if (e instanceof java.io.IOException) {
                command.getErr().println("rill: " + e.getMessage());
                command.getErr().flush();
                return 1;
            }
            if (stackTrace != null) {
                return stackTrace.handleExecutionException(e, command, parsed);
            }
            throw e;
        });
        return cli;
    }

    /** Service commands return when the node has stopped; the JVM then ends by itself. */
    private static boolean isService(String command) {
        return command.equals("run") || command.equals("demo");
    }
}
