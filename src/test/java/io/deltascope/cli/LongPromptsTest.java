package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import org.junit.jupiter.api.Test;

/** A prompt beyond the model's context is refused in one line, before any work, unless allowed. */
class LongPromptsTest {
  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();
  private static final String LONG = "hello world ".repeat(300).strip(); // over 512 tokens

  @Test
  void activationDiffRefusesAPromptBeyondTheContext() {
    CliRun run = CliRun.of("activation-diff", "-b", BASE, "-f", SFT, "-p", "Hi," + LONG);
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine())
        .matches(
            "deltascope: error: prompt 2: \\d+ tokens, beyond the context of "
                + java.util.regex.Pattern.quote(BASE)
                + " \\(512 positions\\); --allow-long-prompts runs it anyway");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void compareRefusesAPromptBeyondTheContext() {
    CliRun run = CliRun.of("compare", "-m1", BASE, "-m2", SFT, "-p", LONG);
    assertThat(run.exitCode()).isEqualTo(Main.FAILED);
    assertThat(run.errorLine()).contains("the prompt: ").contains("beyond the context of " + BASE);
  }

  @Test
  void anExplicitOptionRunsIt() {
    CliRun run =
        CliRun.of("activation-diff", "-b", BASE, "-f", SFT, "-p", LONG, "--allow-long-prompts");
    assertThat(run.exitCode()).as(run.err()).isZero();
  }
}
