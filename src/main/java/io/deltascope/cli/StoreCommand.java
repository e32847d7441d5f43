package io.deltascope.cli;

import io.deltascope.results.StoreMaintenance;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code deltascope store}: the results store's upkeep, for a scheduler to call. */
@Command(
    name = "store",
    mixinStandardHelpOptions = true,
    description = "Look after a results store: history, check, optimize, vacuum, upgrade.",
    subcommands = {
      StoreCommand.History.class,
      StoreCommand.Check.class,
      StoreCommand.Optimize.class,
      StoreCommand.Vacuum.class,
      StoreCommand.Upgrade.class
    })
final class StoreCommand implements Runnable {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "Missing a subcommand: history, check, optimize, vacuum or upgrade");
  }

  /** What every store subcommand takes: the store and the Spark options. */
  abstract static class Action implements Callable<Integer> {
    @Option(
        names = "--results",
        required = true,
        paramLabel = "DIR",
        description = "The results store (a path or Hadoop URI).")
    String results;

    @Mixin RunOptions run;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    /** Runs {@code action} on the store and prints the rows it returns as a table. */
    int print(Function<StoreMaintenance, Dataset<Row>> action) {
      StoreMaintenance store =
          new StoreMaintenance(run.startSpark("deltascope store " + spec.name()), results);
      Dataset<Row> rows = action.apply(store);
      List<Row> collected = rows.collectAsList();
      spec.commandLine().getOut().print(SqlCommand.table(rows.columns(), collected));
      spec.commandLine().getOut().flush();
      return Main.OK;
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "List the store's commits, newest first: table, version, when, run, user.")
  static final class History extends Action {
    @Override
    public Integer call() {
      return print(StoreMaintenance::history);
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Check the store is whole: every run's rows per table against the counts its runs row"
              + " records, every file the tables' logs name (there, of the size logged). Each"
              + " fault is one line on stderr; exit 1 when there is one.")
  static final class Check extends Action {
    @Override
    public Integer call() {
      StoreMaintenance.Check check =
          new StoreMaintenance(run.startSpark("deltascope store check"), results).check();
      PrintWriter err = spec.commandLine().getErr();
      check.faults().forEach(fault -> err.println("deltascope: error: " + fault));
      err.flush();
      spec.commandLine()
          .getOut()
          .printf(
              Locale.ROOT,
              "%s: %d runs and %d files checked: %s%n",
              io.deltascope.checkpoint.Locations.redact(results),
              check.runs(),
              check.files(),
              check.faults().isEmpty() ? "whole" : check.faults().size() + " faults");
      spec.commandLine().getOut().flush();
      return check.faults().isEmpty() ? Main.OK : Main.FAILED;
    }
  }

  @Command(
      name = "optimize",
      mixinStandardHelpOptions = true,
      description = "Compact every table's small files.")
  static final class Optimize extends Action {
    @Override
    public Integer call() {
      return print(StoreMaintenance::optimize);
    }
  }

  @Command(
      name = "vacuum",
      mixinStandardHelpOptions = true,
      description =
          "Delete files no table version of the last HOURS needs (time travel ends there).")
  static final class Vacuum extends Action {
    @Option(
        names = "--retain",
        paramLabel = "HOURS",
        defaultValue = "168",
        description = "Keep what the last HOURS need (default: ${DEFAULT-VALUE}).")
    double hours;

    @Override
    public Integer call() {
      if (hours < 0 || Double.isNaN(hours)) {
        throw new picocli.CommandLine.ParameterException(
            spec.commandLine(), "--retain " + hours + ": hours must be 0 or more");
      }
      return print(store -> store.vacuum(hours));
    }
  }

  @Command(
      name = "upgrade",
      mixinStandardHelpOptions = true,
      description = "Convert a plain Parquet store (schema version 1 or 2) to Delta, in place.")
  static final class Upgrade extends Action {
    @Override
    public Integer call() {
      StoreMaintenance store =
          new StoreMaintenance(run.startSpark("deltascope store upgrade"), results);
      List<String> tables = store.upgrade();
      spec.commandLine()
          .getOut()
          .println(
              "Upgraded "
                  + results
                  + " to schema version "
                  + io.deltascope.results.Tables.SCHEMA_VERSION
                  + ": "
                  + String.join(", ", tables));
      spec.commandLine().getOut().flush();
      return Main.OK;
    }
  }
}
