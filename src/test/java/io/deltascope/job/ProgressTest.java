package io.deltascope.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProgressTest {
  @Test
  void theLineShowsBytesFetchedFromTheHubOnlyWhenThereAreAny() {
    String line = Progress.line("weight-diff", 3, 10, 2_000_000, 8_000_000, 2.0);
    assertThat(line).isEqualTo("\rweight-diff: 3/10 tensors, 2.0 MB/8.0 MB, 1.0 MB/s   ");
    assertThat(Progress.fetched(0)).isEmpty();
    assertThat(Progress.fetched(1_500_000)).isEqualTo("fetched 1.5 MB from the Hub   ");
  }
}
