package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A --results that names a file is refused before the work, and nothing is written. */
class ResultsLocationTest {
  @TempDir Path dir;

  @Test
  void aResultsStoreThatIsAFileIsRefusedBeforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("store.txt"), "not a store");
    Path json = dir.resolve("out.json");
    CliRun run = pair("weight-diff", "-o", json.toString(), "--results", file.toString());
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine())
        .isEqualTo("deltascope: error: " + file + ": is a file, expected a results store folder");
    assertThat(json).doesNotExist();
    assertThat(Files.readString(file)).isEqualTo("not a store");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void aFolderThatIsNotAStoreOrAnOldStoreIsRefusedBeforeAnyWork() throws Exception {
    Path folder = Files.createDirectory(dir.resolve("photos"));
    Files.writeString(folder.resolve("cat.jpg"), "not a run");
    CliRun run = pair("activation-diff", "-p", "Hello", "--results", folder.toString());
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine())
        .isEqualTo(
            "deltascope: error: "
                + folder
                + ": not a deltascope results store (no _deltascope.json) and not empty");
    assertThat(run.out()).isEmpty(); // no forward pass ran
    assertThat(folder.toFile().list()).containsExactly("cat.jpg");

    Path old = Files.createDirectory(dir.resolve("old-store"));
    Files.writeString(old.resolve("_deltascope.json"), "{\"schema_version\": 1}\n");
    CliRun weights = pair("weight-diff", "--results", old.toString());
    assertThat(weights.exitCode()).isEqualTo(Main.FAILED);
    assertThat(weights.errorLine()).contains("store upgrade --results " + old);
    assertThat(weights.out()).isEmpty(); // no weight-diff ran
  }

  @Test
  void aBatchIntoAFileIsRefusedBeforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("store.txt"), "not a store");
    Path pairs =
        Files.writeString(
            dir.resolve("pairs.csv"),
            "sft," + Fixtures.model("llama-base") + "," + Fixtures.model("llama-sft") + "\n");
    CliRun run = CliRun.of("batch", "--pairs", pairs.toString(), "--results", file.toString());
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine()).endsWith(file + ": is a file, expected a results store folder");
    assertThat(Files.readString(file)).isEqualTo("not a store");
  }

  @Test
  void aResultsStoreInsideAFileIsRefusedBeforeAnyWork() throws Exception {
    Path file = Files.writeString(dir.resolve("store.txt"), "not a store");
    String results = file.resolve("store").toString();
    CliRun run = pair("activation-diff", "-p", "Hello", "--results", results);
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine())
        .isEqualTo(
            "deltascope: error: "
                + results
                + ": "
                + file
                + " is a file, so the results store folder cannot be made in it");
    assertThat(run.out()).isEmpty(); // no forward pass ran
    assertThat(Files.readString(file)).isEqualTo("not a store");
  }

  @Test
  void aMalformedResultsLocationIsAUsageError() {
    CliRun run = pair("weight-diff", "--results", "");
    assertThat(run.exitCode()).isEqualTo(Main.USAGE);
    assertThat(run.errorLine()).isEqualTo("deltascope: error: --results is empty");
  }

  /** {@code command} on the bundled Llama pair, then {@code options}. */
  private static CliRun pair(String command, String... options) {
    java.util.List<String> args =
        new java.util.ArrayList<>(
            java.util.List.of(
                command,
                "-b",
                Fixtures.model("llama-base").toString(),
                "-f",
                Fixtures.model("llama-sft").toString()));
    args.addAll(java.util.List.of(options));
    return CliRun.of(args.toArray(String[]::new));
  }
}
