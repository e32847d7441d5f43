package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.ChildJvm;
import io.deltascope.Fixtures;
import io.deltascope.checkpoint.CutAfterMapping;
import io.deltascope.checkpoint.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * weight-diff through the real command line, in a child JVM, while the fine-tune's weights file is
 * truncated under its reader: after its tensor data is mapped, before it is read. Exit code 1, one
 * line naming the file, nothing written: not a JVM that exits from inside the JDK's Cleaner (or
 * Spark's exit code 50) with pages of traces.
 */
class CutWhileReadingTest {
  @TempDir Path dir;

  @Test
  void weightDiffOnAFileTruncatedWhileMappedIsOneLineNamingIt() throws Exception {
    Path finetuned = copy(Fixtures.model("llama-sft"), dir.resolve("llama-sft"));
    Path weights = finetuned.resolve("model.safetensors");
    long dataStart = dataStart(weights);
    Path out = dir.resolve("out.json");
    Path store = dir.resolve("store");

    ChildJvm child =
        ChildJvm.run(
            dir,
            240,
            // the launcher's logging, as bin/deltascope passes it
            List.of(
                "-Xmx1g",
                "-Dlog4j.configurationFile=" + System.getProperty("log4j.configurationFile")),
            CutAfterMapping.class,
            weights.toString(),
            String.valueOf(dataStart),
            "weight-diff",
            "-b",
            Fixtures.model("llama-base").toString(),
            "-f",
            finetuned.toString(),
            "--master",
            "local[1]", // one task: the cut window is the first read, its error the one reported
            "-o",
            out.toString(),
            "--results",
            store.toString());

    long cut = CutAfterMapping.pageStart(dataStart);
    assertThat(Files.size(weights)).as("the file was cut").isEqualTo(cut);
    List<String> errors =
        child.stderr().lines().filter(l -> l.startsWith("deltascope: error: ")).toList();
    assertThat(errors)
        .as(child.stderr())
        .singleElement()
        .asString()
        .startsWith(
            "deltascope: error: " + weights + ": changed while being read (now " + cut + " bytes")
        .endsWith("truncated or replaced while mapped");
    assertThat(child.stderr().lines().filter(l -> !l.isBlank()))
        .as("nothing but the error and where the trace is")
        .containsExactly(errors.get(0), "(run with --verbose for the stack trace)");
    assertThat(child.exitCode()).as(child.stderr()).isEqualTo(1);
    assertThat(out).doesNotExist();
    assertThat(store).doesNotExist();
  }

  private static long dataStart(Path weights) {
    return SafetensorsFile.read(weights.toString()).tensors().stream()
        .mapToLong(t -> t.offset())
        .min()
        .orElseThrow();
  }

  private static Path copy(Path from, Path to) throws Exception {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path f : files.toList()) {
        Files.copy(f, to.resolve(f.getFileName()));
      }
    }
    return to;
  }
}
