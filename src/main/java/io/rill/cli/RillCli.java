package io.rill.cli;

import io.rill.node.RillSettings;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;

/** rill's command line: {@code rill run | demo | produce | generate | translate | plot-attention | topics | ...}. */
// scope INHERIT: every subcommand answers --help and --version too, as picocli's standard options.
@Command(name = "rill", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "rill 0.1.0",
        description = "A streaming, actor-based online learner for text, on Kafka and Akka.",
        subcommands = {RunCommand.class, DemoCommand.class, ProduceCommand.class, GenerateCommand.class, TranslateCommand.class,
                PlotAttentionCommand.class, TopicsCommand.class,
                EmbeddingCommands.Neighbours.class, EmbeddingCommands.Analogy.class, EmbeddingCommands.Similarity.class,
                EmbeddingCommands.Export.class, EmbeddingCommands.Plot.class, CommandLine.HelpCommand.class})
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

    public static void main(String[] args) {
        int exit = new CommandLine(new RillCli()).execute(args);
        if (exit != 0 || args.length == 0 || !isService(args[0])) {
            System.exit(exit);
        }
    }

    /** Service commands return when the node has stopped; the JVM then ends by itself. */
    private static boolean isService(String command) {
        return command.equals("run") || command.equals("demo");
    }
}
