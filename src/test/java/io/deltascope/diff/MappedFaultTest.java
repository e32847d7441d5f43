package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import io.deltascope.SafetensorsFiles;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.gguf.GgufFile;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint truncated while it is mapped: the JVM turns the SIGBUS into an InternalError, which
 * must come out as one CheckpointException naming the file, not as a dying JVM. Safetensors and
 * GGUF alike, in their headers and in their tensors.
 */
class MappedFaultTest {
  private static final int N = 1 << 16; // 256 KB of F32: many pages past the truncation
  private static final long PAGE = 4096;

  @TempDir Path dir;

  @Test
  void aFileTruncatedWhileMappedIsNamed() throws Exception {
    Path base = write("base.safetensors");
    Path finetuned = write("finetuned.safetensors");
    WeightDiffPlan plan =
        WeightDiffPlan.of(Checkpoint.open(base.toString()), Checkpoint.open(finetuned.toString()));
    TensorPair pair = plan.pairs().get(0);
    assertThatThrownBy(
            () ->
                new TensorComparison()
                    .compare(pair, f -> new TruncatedAfterMapping(Locations.open(f), f, 8)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(base + ": changed while being read (now 8 bytes; tensor 'w'");
  }

  @Test
  void aBlockReadOfAFileTruncatedWhileMappedIsNamed() throws Exception {
    Path base = write("block.safetensors");
    io.deltascope.checkpoint.TensorInfo w = Checkpoint.open(base.toString()).tensor("w");
    double[] dst = new double[N];
    assertThatThrownBy(
            () ->
                io.deltascope.checkpoint.TensorBlockReader.read(
                    new TruncatedAfterMapping(Locations.open(base.toString()), base.toString(), 8),
                    w,
                    64,
                    0,
                    N / 64,
                    0,
                    64,
                    dst))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(base + ": changed while being read (now 8 bytes; tensor 'w'");
  }

  @Test
  void aGgufHeaderTruncatedWhileMappedIsNamed() throws Exception {
    Path gguf = copy("llama-sft.q4_0.gguf");
    long dataStart = GgufFile.read(gguf.toString()).dataStart();
    assertThat(dataStart).isGreaterThan(2 * PAGE); // the header runs past the page kept
    assertThatThrownBy(
            () ->
                GgufFile.read(
                    new TruncatedAfterMapping(
                        Locations.open(gguf.toString()), gguf.toString(), PAGE)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(gguf + ": changed while its header was being read (")
        .hasMessageEndingWith("): truncated or replaced while mapped");
  }

  @Test
  void aGgufTensorTruncatedWhileMappedIsNamed() throws Exception {
    Path base = Path.of(Fixtures.model("llama-sft").toString());
    Path gguf = copy("llama-sft.q4_0.gguf");
    WeightDiffPlan plan =
        WeightDiffPlan.of(Checkpoint.open(base.toString()), Checkpoint.open(gguf.toString()));
    TensorPair pair = plan.pairs().get(0);
    assertThatThrownBy(
            () ->
                new TensorComparison()
                    .compare(
                        pair,
                        f ->
                            f.equals(gguf.toString())
                                ? new TruncatedAfterMapping(Locations.open(f), f, PAGE)
                                : Locations.open(f)))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(
            gguf + ": changed while being read (now " + PAGE + " bytes; tensor");
  }

  private Path copy(String gguf) throws IOException {
    return Files.copy(Fixtures.root().resolve("gguf").resolve(gguf), dir.resolve(gguf));
  }

  private Path write(String name) throws IOException {
    double[] values = new double[N];
    for (int i = 0; i < N; i++) {
      values[i] = Math.sin(i);
    }
    return SafetensorsFiles.write(
        dir.resolve(name),
        Map.of("w", new SafetensorsFiles.Tensor("F32", new long[] {N / 64, 64}, values)));
  }

  /** The real mapped source; the file is cut to {@code keep} bytes after each mapping. */
  private record TruncatedAfterMapping(ByteSource mapped, String file, long keep)
      implements ByteSource {
    @Override
    public long size() throws IOException {
      return mapped.size();
    }

    @Override
    public ByteBuffer read(long offset, int length) throws IOException {
      ByteBuffer buffer = mapped.read(offset, length);
      try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
        f.setLength(Math.min(keep, f.length()));
      }
      return buffer;
    }

    @Override
    public void release(ByteBuffer buffer) {
      mapped.release(buffer);
    }

    @Override
    public String location() {
      return mapped.location();
    }

    @Override
    public void close() throws IOException {
      mapped.close();
    }
  }
}
