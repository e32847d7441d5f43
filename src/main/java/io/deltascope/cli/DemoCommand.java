package io.deltascope.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * {@code deltascope demo}: weight-diff on the real pair bundled in the jar (a 4-layer Llama base
 * and its supervised fine-tune), so a fresh install shows a result without any download.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Compare the bundled demo pair (llama-base vs llama-sft).")
final class DemoCommand implements Callable<Integer> {
  static final String RESOURCE_ROOT = "/demo/";
  static final List<String> MODELS = List.of("llama-base", "llama-sft");
  static final List<String> FILES =
      List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json");

  @Mixin WeightDiffCommand.WeightDiffOutputs outputs;
  @Mixin SpectraOptions spectra;
  @Mixin RunOptions run;
  @Mixin ProgressOption progress;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    Path folder = Files.createTempDirectory("deltascope-demo");
    try {
      List<String> models = MODELS.stream().map(m -> extract(folder, m).toString()).toList();
      spec.commandLine().getOut().println("Demo: the bundled llama-base vs llama-sft pair\n");
      WeightDiffCommand.WeightDiffRun.execute(
          models.get(0),
          models.get(1),
          outputs,
          spectra,
          run,
          progress.show(),
          spec.commandLine().getOut());
      return Main.OK;
    } finally {
      deleteTree(folder);
    }
  }

  /** Copies one bundled model out of the jar: executors read files, not class path resources. */
  static Path extract(Path folder, String model) {
    Path target = folder.resolve(model);
    try {
      Files.createDirectories(target);
      for (String file : FILES) {
        try (InputStream in =
            DemoCommand.class.getResourceAsStream(RESOURCE_ROOT + model + "/" + file)) {
          if (in == null) {
            throw new IllegalStateException("the jar lacks the demo file " + model + "/" + file);
          }
          Files.copy(in, target.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(target + ": cannot extract the demo model", e);
    }
  }

  private static void deleteTree(Path folder) throws IOException {
    try (var paths = Files.walk(folder)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
