package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.deltascope.checkpoint.gguf.GgufFile;
import io.deltascope.checkpoint.pytorch.TorchPickle;
import io.deltascope.job.PairSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Jazzer fuzzes the parsers of what users hand deltascope: the safetensors header, the GGUF reader,
 * the pairs file and a pytorch_model.bin's pickle ({@code data.pkl}). The first byte picks the
 * parser, the rest is the file; the corpus is seeded from the fixtures (ParsersFuzzTestInputs). The
 * contract: a CheckpointException with a message (an IllegalArgumentException with one for the
 * pairs file, as the batch reports it), or a valid result; never another exception, never a hang
 * (Jazzer's per-input timeout), never an allocation beyond a bounded multiple of the file's size (a
 * length field must not size a buffer).
 *
 * <p>{@code surefire} runs it with {@code JAZZER_FUZZ=1} for a fixed budget ({@code maxDuration});
 * Jazzer fuzzes one {@code @FuzzTest} per run, hence one target for the four parsers.
 */
class ParsersFuzzTest {
  /**
   * Jazzer's hooks allocate in the measured thread too: a 5,260-byte pairs file parsed twice took
   * 21.7 MB under Jazzer against 56 KB without it. The guard is for a length field that sizes a
   * buffer, which allocates gigabytes, not for that.
   */
  private static final long ALLOCATION_SLACK = 64L << 20;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private static Path file;

  @FuzzTest(maxDuration = "40s")
  void parsers(byte[] input) throws IOException {
    if (input.length == 0) {
      return;
    }
    int parser = (input[0] & 0xFF) % 5;
    byte[] content = Arrays.copyOfRange(input, 1, input.length);
    Path path = write(parser, content);
    // loading (and Jazzer instrumenting) the classes an input reaches allocates, and an input can
    // reach classes no earlier one did: not the parser's allocation, so every input is parsed
    // once before the parse that is measured
    parse(parser, path);
    long before = THREADS.getCurrentThreadAllocatedBytes();
    parse(parser, path);
    long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated)
        .as("bytes allocated to parse a %d-byte file", content.length)
        .isLessThan(64L * content.length + ALLOCATION_SLACK);
  }

  private static void parse(int parser, Path path) throws IOException {
    try {
      switch (parser) {
        case 0 -> SafetensorsFile.read(path.toString());
        case 1 -> GgufFile.read(path.toString());
        case 4 -> TorchPickle.read(path.toString(), Files.readAllBytes(path));
        default -> PairSpec.read(path.toString());
      }
    } catch (CheckpointException e) {
      assertThat(e.getMessage()).isNotBlank();
    } catch (IllegalArgumentException e) {
      assertThat(parser)
          .as("only the pairs file refuses with IllegalArgumentException: %s", e)
          .isGreaterThanOrEqualTo(2);
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static Path write(int parser, byte[] content) throws IOException {
    if (file == null) {
      file = Files.createTempDirectory("deltascope-fuzz");
      file.toFile().deleteOnExit();
    }
    String name =
        switch (parser) {
          case 0 -> "model.safetensors";
          case 1 -> "model.gguf";
          case 2 -> "pairs.csv";
          case 3 -> "pairs.jsonl";
          default -> "data.pkl";
        };
    return Files.write(file.resolve(name), content);
  }
}
