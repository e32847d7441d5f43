package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.ChildJvm;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped read that faults in JIT-compiled code: HotSpot (JDK 17) skips the faulting load and
 * raises the InternalError only at the thread's next runtime call, which may be inside the
 * unmapping itself, where the JDK's Cleaner catches it, prints a trace and calls System.exit(1).
 * Run in a child JVM, the reads looped until C1 and then C2 have compiled them: every one must end
 * as a CheckpointException naming the file, and the child must live to say so.
 */
class LateMappedFaultTest {
  // with thresholds scaled to a tenth, the reads run interpreted, then C1's code, then C2's
  private static final int ROUNDS = 5_000;

  @TempDir Path dir;

  @Test
  void aSafetensorsHeaderEmptiedAfterMappingIsNamedEvenWhenCompiled() throws Exception {
    assertEveryRoundNamed("header");
  }

  @Test
  void aTensorWindowEmptiedAfterMappingIsNamedEvenWhenCompiled() throws Exception {
    assertEveryRoundNamed("tensor");
  }

  private void assertEveryRoundNamed(String reading) throws Exception {
    Path file = dir.resolve(reading + ".safetensors");
    ChildJvm child =
        ChildJvm.run(
            dir,
            180,
            List.of(
                "-Xmx256m",
                "-Xbatch", // compile in the foreground: C2's code is there within the rounds
                "-XX:CompileThresholdScaling=0.1"),
            Reads.class,
            reading,
            file.toString(),
            String.valueOf(ROUNDS));
    String output = child.stdout() + child.stderr();
    assertThat(output).as(output).contains(ROUNDS + " rounds: all named");
    assertThat(output).doesNotContain("Cleaner terminated abnormally");
    assertThat(child.exitCode()).as(output).isZero();
  }

  /** The child JVM: map, empty the file, read; ROUNDS times. */
  public static final class Reads {
    private Reads() {}

    public static void main(String[] args) throws Exception {
      String reading = args[0];
      Path file = Path.of(args[1]);
      int rounds = Integer.parseInt(args[2]);
      MappedFileSource.afterMapping = (path, offset) -> empty(path);
      for (int i = 0; i < rounds; i++) {
        write(file);
        String problem = oneRead(reading, file);
        if (problem != null) {
          System.out.println("round " + i + ": " + problem);
          System.exit(2);
        }
      }
      System.out.println(rounds + " rounds: all named");
    }

    // null when the read ended as a CheckpointException naming the file
    private static String oneRead(String reading, Path file) {
      try (ByteSource source = Locations.open(file.toString())) {
        if (reading.equals("header")) {
          SafetensorsFile.read(source);
        } else {
          TensorInfo w = new TensorInfo("w", DType.F32, Shape.of(8, 8), file.toString(), 72, 256);
          TensorBlockReader.read(source, w, 8, 0, 8, 0, 8, new double[64]);
        }
        return "read without an error";
      } catch (CheckpointException e) {
        return e.getMessage().startsWith(file.toString()) ? null : "not named: " + e.getMessage();
      } catch (Throwable e) {
        java.io.StringWriter trace = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(trace));
        return "escaped: " + trace;
      }
    }

    // an 8-byte header length, 64 bytes of header, 64 F32 values
    private static void write(Path file) throws IOException {
      String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[8,8],\"data_offsets\":[0,256]}}";
      ByteBuffer bytes = ByteBuffer.allocate(8 + 64 + 256).order(ByteOrder.LITTLE_ENDIAN);
      bytes.putLong(64).put(String.format("%-64s", header).getBytes(StandardCharsets.US_ASCII));
      // a new file each round: truncating one inode would also cut every old mapping of it
      Files.deleteIfExists(file);
      Files.write(file, bytes.array());
    }

    private static void empty(Path file) {
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
