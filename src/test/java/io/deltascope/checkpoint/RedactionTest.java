package io.deltascope.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Spark's rule for what a setting may show, and the one masking every line passes through. */
class RedactionTest {
  private static final Redaction DEFAULT = Redaction.sparkDefault();
  private static final String R = Redaction.REDACTED;

  @Test
  void aSettingIsRedactedWhenItsKeyOrItsValueMatchesAsInSpark() {
    assertThat(DEFAULT.setting("spark.hadoop.fs.s3a.secret.key", "abc")).isEqualTo(R);
    assertThat(DEFAULT.setting("spark.hadoop.fs.s3a.access.key", "abc")).isEqualTo(R);
    assertThat(DEFAULT.setting("spark.hadoop.fs.s3a.session.TOKEN", "abc")).isEqualTo(R);
    assertThat(DEFAULT.setting("spark.x", "my-password-is")).isEqualTo(R);
    assertThat(DEFAULT.setting("spark.sql.shuffle.partitions", "8")).isEqualTo("8");
    Redaction own = new Redaction(Pattern.compile("(?i)mycorp"), Set.of());
    assertThat(own.setting("spark.hadoop.fs.mycorp.x", "abc")).isEqualTo(R);
    assertThat(own.setting("spark.hadoop.fs.s3a.secret.key", "abc")).isEqualTo("abc");
  }

  @Test
  void aLineLosesKnownSecretsSensitiveSettingsAndAuthorizationHeaders() {
    Redaction known = DEFAULT.with(List.of("hunter2-long", "ab"));
    assertThat(known.text("cannot open /data/hunter2-long/x: no such file"))
        .isEqualTo("cannot open /data/" + R + "/x: no such file");
    assertThat(known.text("Unknown options: '--conf', 'spark.hadoop.fs.s3a.secret.key=V1'"))
        .isEqualTo("Unknown options: '--conf', 'spark.hadoop.fs.s3a.secret.key=" + R + "'");
    assertThat(known.text("--conf=spark.hadoop.fs.s3a.access.key=V2 --conf=spark.x=8"))
        .isEqualTo("--conf=spark.hadoop.fs.s3a.access.key=" + R + " --conf=spark.x=8");
    assertThat(known.text("sent Authorization: Bearer hf_abc123 to host"))
        .isEqualTo("sent Authorization: " + R + " to host");
    // a two-letter value would take ordinary words with it: only settings' values hide it
    assertThat(known.text("about")).isEqualTo("about");
    assertThat(known.text("no token: set HF_TOKEN")).isEqualTo("no token: set HF_TOKEN");
  }
}
