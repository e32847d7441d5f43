package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pairs files as people write them: RFC 4180 CSV with comments and a byte-order mark. */
class PairSpecTest {
  @TempDir Path dir;

  @Test
  void aCommentBeforeTheHeaderLeavesTheHeaderAHeader() throws Exception {
    Path file = write("# nightly pairs\nname,base,finetuned\nsft,/m/base,/m/sft\n");
    assertThat(PairSpec.read(file.toString()))
        .containsExactly(new PairSpec("sft", "/m/base", "/m/sft"));
  }

  @Test
  void aByteOrderMarkIsNotPartOfTheFirstCell() throws Exception {
    Path file = write("\uFEFFname,base,finetuned\r\nsft,/m/base,/m/sft\r\n");
    assertThat(PairSpec.read(file.toString()))
        .containsExactly(new PairSpec("sft", "/m/base", "/m/sft"));
  }

  @Test
  void quotedFieldsHoldCommasQuotesAndLineBreaks() throws Exception {
    Path file =
        write(
            "name,base,finetuned\n"
                + "\"sft\",\"/m/base, v1\",\"/m/\"\"sft\"\"\"\n"
                + "two,\"/m/a\nb\",/m/c\n"
                + "three,/m/d,/m/e\n");
    assertThat(PairSpec.read(file.toString()))
        .containsExactly(
            new PairSpec("sft", "/m/base, v1", "/m/\"sft\""),
            new PairSpec("two", "/m/a\nb", "/m/c"),
            new PairSpec("three", "/m/d", "/m/e"));
  }

  @Test
  void anUnclosedQuoteNamesTheFileAndLine() throws Exception {
    Path file = write("a,/m/a,/m/b\nb,\"/m/a,/m/b\n");
    assertThatThrownBy(() -> PairSpec.read(file.toString()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(file + ": line 2: a quoted field is never closed");
  }

  @Test
  void aHeaderAfterTheFirstRecordIsAPairLikeAnyOther() throws Exception {
    Path file = write("a,/m/a,/m/b\nname,base,finetuned\n");
    assertThat(PairSpec.read(file.toString())).hasSize(2);
  }

  private Path write(String text) throws Exception {
    return Files.writeString(dir.resolve("pairs.csv"), text);
  }
}
