package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltascope.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -p as people give it: repeated, with commas, multi-line from JSON Lines, from a file. */
class PromptsTest {
  @TempDir Path dir;

  @Test
  void aRepeatedPromptIsKeptWholeCommasAndAll() {
    assertThat(Prompts.parse(List.of("Hello, how are you", "Fine, thanks")))
        .containsExactly("Hello, how are you", "Fine, thanks");
  }

  @Test
  void oneValueIsACommaListWhereAnEscapedCommaStaysInItsPrompt() {
    assertThat(Prompts.parse(List.of("a, b ,c"))).containsExactly("a", "b", "c");
    assertThat(Prompts.parse(List.of("Hello\\, how are you,Bye")))
        .containsExactly("Hello, how are you", "Bye");
    assertThat(Prompts.parse(List.of("\\@home"))).containsExactly("@home");
  }

  @Test
  void jsonLinesCarryMultiLinePromptsExactly() throws IOException {
    Path file = dir.resolve("prompts.jsonl");
    Files.writeString(
        file, "\"def f(x):\\n    return x\"\n\n{\"prompt\": \"  two\\nlines  \", \"id\": 7}\n");
    assertThat(Prompts.parse(List.of("@" + file)))
        .containsExactly("def f(x):\n    return x", "  two\nlines  ");
  }

  @Test
  void jsonLinesThatAreNotPromptsAreOneLineNamingFileAndLine() throws IOException {
    Path chat = dir.resolve("chat.jsonl");
    Files.writeString(
        chat, "\"ok\"\n{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n");
    assertThatThrownBy(() -> Prompts.parse(List.of("@" + chat)))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("chat.jsonl: line 2: chat messages need the model's chat template");
    Path broken = dir.resolve("broken.jsonl");
    Files.writeString(broken, "{\"prompt\": 3}\n");
    assertThatThrownBy(() -> Prompts.parse(List.of("@" + broken)))
        .hasMessageContaining("broken.jsonl: line 1: expected a JSON string or {\"prompt\"");
    Path notJson = dir.resolve("text.jsonl");
    Files.writeString(notJson, "plain words\n");
    assertThatThrownBy(() -> Prompts.parse(List.of("@" + notJson)))
        .hasMessageContaining("text.jsonl: line 1: not JSON");
  }

  @Test
  void compareTakesOnePromptFromAFileAndRefusesMore() throws IOException {
    Path one = dir.resolve("one.txt");
    Files.writeString(one, "The capital of France is\n");
    assertThat(Prompts.single("@" + one)).isEqualTo("The capital of France is");
    assertThat(Prompts.single("a, b")).isEqualTo("a, b");
    Path two = dir.resolve("two.txt");
    Files.writeString(two, "a\nb\n");
    assertThatThrownBy(() -> Prompts.single("@" + two))
        .hasMessageContaining("two.txt: 2 prompts, but compare takes one");
    assertThatThrownBy(() -> Prompts.single(" ")).isInstanceOf(UsageException.class);
  }

  @Test
  void compareReadsItsPromptFileRatherThanTheLiteralAtFile() throws IOException {
    Path file = dir.resolve("prompt.txt");
    Files.writeString(file, "The capital of France is\n");
    Path json = dir.resolve("out.json");
    String model = Fixtures.model("llama-base").toString();
    CliRun run =
        CliRun.of("compare", "-m1", model, "-m2", model, "-p", "@" + file, "-o", json.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(Fixtures.json(json).get("prompt").asText()).isEqualTo("The capital of France is");
  }
}
