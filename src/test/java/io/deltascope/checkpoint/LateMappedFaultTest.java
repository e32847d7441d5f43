package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mapped read that faults in JIT-compiled code: HotSpot (JDK 17) skips the faulting load and
 * raises the InternalError only at the thread's next runtime call, which may be inside the
 * unmapping itself, where the JDK's Cleaner catches it, prints a trace and calls System.exit(1).
 * Run in a child JVM, the reads looped until C2 has compiled them: every one must end as a
 * CheckpointException naming the file, and the child must live to say so.
 */
class LateMappedFaultTest {
  // with thresholds scaled to a tenth, the reads run interpreted, then C1's code, then C2's
  private static final int ROUNDS = 5_000;

  @TempDir Path dir;

  @Test
  void aSafetensorsHeaderEmptiedAfterMappingIsNamedEvenWhenCompiled() throws Exception {
    Child child = run("header", dir.resolve("emptied.safetensors"));
    assertThat(child.output).as(child.output).contains(ROUNDS + " rounds: all named");
    assertThat(child.output).doesNotContain("Cleaner terminated abnormally");
    assertThat(child.exitCode).as(child.output).isZero();
  }

  @Test
  void aTensorWindowEmptiedAfterMappingIsNamedEvenWhenCompiled() throws Exception {
    Child child = run("tensor", dir.resolve("emptied-tensor.safetensors"));
    assertThat(child.output).as(child.output).contains(ROUNDS + " rounds: all named");
    assertThat(child.output).doesNotContain("Cleaner terminated abnormally");
    assertThat(child.exitCode).as(child.output).isZero();
  }

  private record Child(int exitCode, String output) {}

  private Child run(String reading, Path file) throws Exception {
    Path log = dir.resolve(reading + ".log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Xbatch", // compile in the foreground: C2's code is there within the rounds
                "-XX:CompileThresholdScaling=0.1",
                "-cp",
                classPath(),
                Reads.class.getName(),
                reading,
                file.toString(),
                String.valueOf(ROUNDS))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    boolean finished = child.waitFor(180, TimeUnit.SECONDS);
    if (!finished) {
      child.destroyForcibly().waitFor();
    }
    String output = Files.readString(log);
    assertThat(finished).as("finished in 180 s:\n%s", output).isTrue();
    return new Child(child.exitValue(), output);
  }

  /** The child JVM: map, empty the file, read; ROUNDS times. */
  public static final class Reads {
    private Reads() {}

    public static void main(String[] args) throws Exception {
      String reading = args[0];
      Path file = Path.of(args[1]);
      int rounds = Integer.parseInt(args[2]);
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
      try (ByteSource source = new EmptiedAfterMapping(Locations.open(file.toString()), file)) {
        if (reading.equals("header")) {
          SafetensorsFile.read(source);
        } else {
          TensorInfo w = new TensorInfo("w", DType.F32, Shape.of(8, 8), file.toString(), 64, 256);
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

    // an 8-byte header length, 56 bytes of header, 64 F32 values
    private static void write(Path file) throws IOException {
      String header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[64],\"data_offsets\":[0,256]}}";
      StringBuilder padded = new StringBuilder(header);
      while (padded.length() < 56) {
        padded.append(' ');
      }
      ByteBuffer bytes = ByteBuffer.allocate(8 + 56 + 256).order(java.nio.ByteOrder.LITTLE_ENDIAN);
      bytes.putLong(56).put(padded.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      // a new file each round: truncating one inode would also cut every old mapping of it
      Files.deleteIfExists(file);
      Files.write(file, bytes.array());
    }
  }

  /** The real mapped source; the file is emptied after each mapping. */
  private record EmptiedAfterMapping(ByteSource mapped, Path file) implements ByteSource {
    @Override
    public long size() throws IOException {
      return mapped.size();
    }

    @Override
    public ByteBuffer read(long offset, int length) throws IOException {
      ByteBuffer buffer = mapped.read(offset, length);
      try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(0);
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

  private static String classPath() throws Exception {
    List<String> entries = new ArrayList<>();
    entries.add(Reads.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    entries.add(ByteSource.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    for (String file : System.getProperty("deltascope.test.classpath.files").split(",")) {
      entries.add(Files.readString(Path.of(file)).strip());
    }
    return String.join(File.pathSeparator, entries);
  }
}
