package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthCommandTest {
  @TempDir Path dir;

  @Test
  void shardSizesReadAsTransformersReadsThem() {
    assertThat(SynthCommand.parseSize("2GB")).isEqualTo(2_000_000_000L);
    assertThat(SynthCommand.parseSize("500mb")).isEqualTo(500_000_000L);
    assertThat(SynthCommand.parseSize("1GiB")).isEqualTo(1L << 30);
    assertThat(SynthCommand.parseSize("1.5 GB")).isEqualTo(1_500_000_000L);
    assertThat(SynthCommand.parseSize("4096")).isEqualTo(4096L);
    assertThat(SynthCommand.parseSize("two gigs")).isEqualTo(-1L);
  }

  @Test
  void anUnknownShapeIsAUsageErrorThatListsTheShapes() {
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
            .execute("synth", "--shape", "gpt-5", "--out", dir.toString());

    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString())
        .contains("unknown --shape 'gpt-5'")
        .contains("tinyllama-1.1b, qwen2.5-0.5b, llama-2-7b");
    assertThat(dir).isEmptyDirectory();
  }

  @Test
  void anUnreadableShardSizeIsAUsageError() {
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err))
            .execute(
                "synth", "--shape", "qwen2.5-0.5b", "--out", dir.toString(), "--shard-size", "big");

    assertThat(code).isEqualTo(Main.USAGE);
    assertThat(err.toString()).contains("--shard-size must be positive, not 'big'");
  }
}
