package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.TestSpark;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Writes the results store the notebooks run against (target/notebook-results): a nightly batch
 * over the shared pairs. submit/test executes notebooks/ against it after the suite, so a notebook
 * that no longer matches the store's tables fails the build.
 */
class NotebookStoreTest {

  @Test
  void writesTheStoreTheNotebooksQuery() throws IOException {
    Path project = Path.of(System.getProperty("deltascope.project.dir", "."));
    Path store = project.resolve("target/notebook-results");
    deleteTree(store);
    Files.createDirectories(store.getParent());
    Path pairs = Files.createTempFile("pairs", ".csv");
    Files.writeString(
        pairs,
        pair("sft", "llama-base", "llama-sft")
            + pair("lora-merge", "llama-base", "llama-lora-merged")
            + pair("vocab-resize", "llama-base", "llama-sft-resized")
            + pair("qwen2-sft", "qwen2-base", "qwen2-sft")
            + pair("gemma3-sft", "gemma3-base", "gemma3-sft")
            + pair("gpt2-sft", "gpt2-base", "gpt2-sft"));
    CliRun run =
        CliRun.of(
            "batch",
            "--pairs",
            pairs.toString(),
            "--results",
            store.toString(),
            "--run-id",
            "nightly");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(
            new io.deltascope.results.ResultsStore(TestSpark.session(), store.toString())
                .table("runs")
                .count())
        .isEqualTo(6);
  }

  private static String pair(String name, String base, String finetuned) {
    return name + "," + Fixtures.model(base) + "," + Fixtures.model(finetuned) + "\n";
  }

  private static void deleteTree(Path folder) throws IOException {
    if (!Files.exists(folder)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(folder)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
