package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.SafetensorsFiles;
import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Locations;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint truncated while it is mapped: the JVM turns the SIGBUS into an InternalError, which
 * must come out as one CheckpointException naming the file, not as a dying JVM.
 */
class MappedFaultTest {
  private static final int N = 1 << 16; // 256 KB of F32: many pages past the truncation

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
                    .compare(pair, f -> new TruncatedAfterMapping(Locations.open(f), f)))
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
                    new TruncatedAfterMapping(Locations.open(base.toString()), base.toString()),
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

  private Path write(String name) throws IOException {
    double[] values = new double[N];
    for (int i = 0; i < N; i++) {
      values[i] = Math.sin(i);
    }
    return SafetensorsFiles.write(
        dir.resolve(name),
        Map.of("w", new SafetensorsFiles.Tensor("F32", new long[] {N / 64, 64}, values)));
  }

  /** The real mapped source; the file is cut to 8 bytes after each mapping, before any access. */
  private record TruncatedAfterMapping(ByteSource mapped, String file) implements ByteSource {
    @Override
    public long size() throws IOException {
      return mapped.size();
    }

    @Override
    public ByteBuffer read(long offset, int length) throws IOException {
      ByteBuffer buffer = mapped.read(offset, length);
      try (RandomAccessFile f = new RandomAccessFile(file, "rw")) {
        f.setLength(8);
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
