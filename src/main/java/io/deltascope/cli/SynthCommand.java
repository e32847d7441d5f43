package io.deltascope.cli;

import io.deltascope.job.Progress;
import io.deltascope.synth.ModelShape;
import io.deltascope.synth.SyntheticPair;
import io.deltascope.synth.SyntheticTrajectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code deltascope synth}: writes a synthetic base / fine-tuned pair with a real model's layout,
 * for benchmarks and for trying the tool without downloading models.
 */
@Command(
    name = "synth",
    mixinStandardHelpOptions = true,
    description = {
      "Write a synthetic bf16 checkpoint pair with a real model's layout: OUT/base and"
          + " OUT/finetuned (base + a low-rank update on attention and MLP projections + noise).",
      "Shapes: tinyllama-1.1b (2 x 2.2 GB), qwen2.5-0.5b (2 x 1.0 GB), llama-2-7b (2 x 13.5 GB)."
    })
final class SynthCommand implements Callable<Integer> {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(B|KB|MB|GB|TB|KIB|MIB|GIB|TIB)?");

  @Option(
      names = "--shape",
      required = true,
      paramLabel = "SHAPE",
      description = "tinyllama-1.1b, qwen2.5-0.5b or llama-2-7b.")
  String shape;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "DIR",
      description = "Folder to write base/ and finetuned/ into (their files are written over).")
  Path out;

  @Option(
      names = "--rank",
      defaultValue = "8",
      description = "Rank of the update on projections (default: ${DEFAULT-VALUE}).")
  int rank;

  @Option(
      names = "--noise",
      defaultValue = "1e-3",
      description = "Standard deviation of the noise on every weight (default: ${DEFAULT-VALUE}).")
  double noise;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description =
          "Generator seed: the same seed writes the same files (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--shard-size",
      defaultValue = "2GB",
      paramLabel = "SIZE",
      description =
          "Largest shard, as transformers' max_shard_size: 2GB, 500MB, 1GiB (default:"
              + " ${DEFAULT-VALUE}).")
  String shardSize;

  @Option(
      names = "--steps",
      paramLabel = "N",
      description =
          "Write a training trajectory instead of a pair: OUT/step-0 (random weights) to"
              + " OUT/step-N, each step adding --noise to every weight matrix.")
  Integer steps;

  @Option(
      names = "--threads",
      paramLabel = "N",
      description = "Generator threads (default: the number of cores).")
  Integer threads;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    ModelShape model = ModelShape.preset(shape);
    if (model == null) {
      throw usage(
          "unknown --shape '"
              + shape
              + "' (expected "
              + ModelShape.PRESETS.stream().map(ModelShape::name).collect(Collectors.joining(", "))
              + ")");
    }
    long shardBytes = parseSize(shardSize);
    if (shardBytes <= 0) {
      throw usage("--shard-size must be positive, not '" + shardSize + "'");
    }
    if (rank < 0 || !(noise >= 0) || Double.isInfinite(noise)) {
      throw usage("--rank and --noise must be 0 or more (got " + rank + " and " + noise + ")");
    }
    int workers = threads != null ? threads : Runtime.getRuntime().availableProcessors();
    if (workers < 1) {
      throw usage("--threads must be 1 or more, not " + workers);
    }
    long started = System.nanoTime();
    if (steps != null) {
      return trajectory(model, shardBytes, started);
    }
    long bytes =
        SyntheticPair.write(
            model, out, new SyntheticPair.Options(rank, noise, seed, shardBytes, workers));
    double seconds = (System.nanoTime() - started) / 1e9;
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(
        Locale.ROOT,
        "Wrote %s/base and %s/finetuned (%s, 2 x %s) in %.1f s%n",
        out,
        out,
        model.name(),
        Progress.human(bytes),
        seconds);
    stdout.flush();
    return Main.OK;
  }

  private int trajectory(ModelShape model, long shardBytes, long started) throws IOException {
    if (steps < 1) {
      throw usage("--steps must be 1 or more, not " + steps);
    }
    long bytes =
        SyntheticTrajectory.write(
            model, out, SyntheticTrajectory.Options.uniform(steps, noise, seed, shardBytes));
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.printf(
        Locale.ROOT,
        "Wrote %s to %s (%s, %d x %s) in %.1f s%n",
        SyntheticTrajectory.step(out, 0),
        SyntheticTrajectory.step(out, steps),
        model.name(),
        steps + 1,
        Progress.human(bytes),
        (System.nanoTime() - started) / 1e9);
    stdout.flush();
    return Main.OK;
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  /** "2GB" (decimal, as transformers reads it), "1GiB" (binary), or bytes; -1 when unreadable. */
  static long parseSize(String text) {
    Matcher m = SIZE.matcher(text.strip().toUpperCase(Locale.ROOT));
    if (!m.matches()) {
      return -1;
    }
    String unit = m.group(2) == null ? "B" : m.group(2);
    long scale =
        switch (unit) {
          case "KB" -> 1_000L;
          case "MB" -> 1_000_000L;
          case "GB" -> 1_000_000_000L;
          case "TB" -> 1_000_000_000_000L;
          case "KIB" -> 1L << 10;
          case "MIB" -> 1L << 20;
          case "GIB" -> 1L << 30;
          case "TIB" -> 1L << 40;
          default -> 1L;
        };
    return (long) (Double.parseDouble(m.group(1)) * scale);
  }
}
