package io.rill.loadtest;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;

/**
 * What every benchmark's report says of its run before any figure: when it started, the command, the label, the
 * rill commit under test, the machine and its load averages at the start and the end.
 */
abstract class RunReport {

    ZonedDateTime startedAt;
    String command;
    String label;
    String rillVersion;
    MachineFacts machine;
    String loadAtStart;
    String loadAtEnd;

    /** Starts the run now: the header from the common options ({@code bench} names the command if they do not). */
    void begin(ReportOptions common, String bench) {
        startedAt = ZonedDateTime.now().truncatedTo(ChronoUnit.SECONDS);
        command = common.command != null ? common.command : bench + " (arguments not known)";
        label = common.label;
        rillVersion = common.rillVersion != null ? common.rillVersion : "unknown";
        machine = MachineFacts.collect();
        loadAtStart = ProcMemory.loadAverages();
    }

    /** One line on the terminal: the machine, its load, and the rill under test. */
    void printMachine() {
        System.out.printf("machine: %d cores (%s), %.1f GiB; load average (1/5/15 min) %s; rill %s%n",
                machine.cores(), machine.cpuModel(), machine.memoryGiB(), loadAtStart, rillVersion);
    }
}
