package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Redaction;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.spark.internal.config.ConfigEntry;
import org.apache.spark.internal.config.package$;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A secret given on the command line is written nowhere: every output of every command that took it
 * (JSON, HTML, the store's files, stdout, stderr, the log) is searched byte by byte.
 */
class SecretsTest {
  private static final String BASE = Fixtures.model("llama-base").toString();
  private static final String SFT = Fixtures.model("llama-sft").toString();
  private static final String SECRET = "Zq8-s3cr3t-v4lu3-4fd1";
  // a key only the user's own spark.redaction.regex calls secret
  private static final String CUSTOM = "Zq8-cust0m-v4lu3-77a0";
  private static final String REGEX =
      "spark.redaction.regex=(?i)secret|password|token|access[.]?key|credentials|mycorp";

  @TempDir Path dir;

  @Test
  void noOutputHoldsASecretFromTheCommandLine() throws IOException {
    String store = dir.resolve("store").toString();
    List<CliRun> runs = new ArrayList<>();
    String log =
        logged(
            () -> {
              runs.add(weightDiff("x.json", "--results", store, "--run-id", "r1"));
              runs.add(weightDiff("x.html", "--structure-only"));
              runs.add(
                  CliRun.of(
                      "report",
                      "--results",
                      store,
                      "--run",
                      "r1",
                      "-o",
                      dir.resolve("stored.html").toString(),
                      "--conf",
                      "spark.hadoop.fs.s3a.secret.key=" + SECRET));
              runs.add(
                  CliRun.of(
                      "sql",
                      "--results",
                      store,
                      "--format",
                      "json",
                      "SELECT * FROM runs",
                      "--conf",
                      "spark.hadoop.fs.s3a.secret.key=" + SECRET));
            });
    for (CliRun run : runs) {
      assertThat(run.exitCode()).as(run.err()).isZero();
    }
    assertThat(Files.readString(dir.resolve("x.json"))).contains("fs.s3a.secret.key");
    assertThat(runs.get(3).out()).contains("\"r1\"");
    assertThat(Files.readString(dir.resolve("x.html"))).contains("fs.s3a.secret.key");
    assertThat(Files.isDirectory(dir.resolve("store/runs/_delta_log"))).isTrue();
    assertNowhere(runs, log);
  }

  @Test
  void aFailingRunSaysNoSecretEvenWithItsStackTrace() throws IOException {
    List<CliRun> runs = new ArrayList<>();
    String log =
        logged(
            () -> {
              // the secret pasted where a path belongs: the error names the path
              runs.add(
                  CliRun.of(
                      "weight-diff",
                      "-b",
                      BASE,
                      "-f",
                      dir.resolve(SECRET).toString(),
                      "--verbose",
                      "--conf",
                      "spark.hadoop.fs.s3a.secret.key=" + SECRET));
              // a command without --conf: picocli's error repeats the words it did not know
              runs.add(
                  CliRun.of(
                      "synth",
                      "--out",
                      dir.resolve("synth").toString(),
                      "--conf",
                      "spark.hadoop.fs.s3a.secret.key=" + SECRET));
            });
    assertThat(runs.get(0).exitCode()).isEqualTo(1);
    assertThat(runs.get(0).err()).contains("no such file or folder", "at io.deltascope.");
    assertThat(runs.get(1).exitCode()).isEqualTo(2);
    assertNowhere(runs, log);
  }

  @Test
  void theRedactionIsSparksOwnAndHonoursTheUsersPattern() {
    ConfigEntry<?> regex = package$.MODULE$.SECRET_REDACTION_PATTERN();
    assertThat(Redaction.SPARK_DEFAULT).isEqualTo(regex.defaultValueString());
    assertThat(Secrets.of().sensitive().pattern()).isEqualTo(regex.defaultValueString());

    Redaction own =
        Secrets.of(
            "weight-diff", "--conf=" + REGEX, "--conf", "spark.hadoop.fs.mycorp.setting=" + CUSTOM);
    assertThat(own.secrets()).contains(CUSTOM);
    assertThat(own.setting("spark.hadoop.fs.mycorp.setting", CUSTOM)).isEqualTo(Redaction.REDACTED);
  }

  private CliRun weightDiff(String output, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "weight-diff",
                "-b",
                BASE,
                "-f",
                SFT,
                "-o",
                dir.resolve(output).toString(),
                "--conf",
                "spark.hadoop.fs.s3a.secret.key=" + SECRET,
                "--conf=" + REGEX,
                "--conf",
                "spark.hadoop.fs.mycorp.setting=" + CUSTOM));
    args.addAll(List.of(more));
    return CliRun.of(args.toArray(String[]::new));
  }

  private void assertNowhere(List<CliRun> runs, String log) throws IOException {
    List<String> places = new ArrayList<>();
    for (CliRun run : runs) {
      places.add(run.out() + run.err());
    }
    places.add(log);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        places.add(file + "\n" + new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    for (String place : places) {
      assertThat(place).doesNotContain(SECRET).doesNotContain(CUSTOM);
    }
  }

  /** Everything logged (any logger, any level the configuration lets through) while it ran. */
  private static String logged(Runnable body) {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    StringWriter text = new StringWriter();
    WriterAppender appender =
        WriterAppender.newBuilder()
            .setName("secrets-test")
            .setTarget(text)
            .setLayout(PatternLayout.newBuilder().withPattern("%p %c: %m%n%ex").build())
            .build();
    appender.start();
    config.getRootLogger().addAppender(appender, null, null);
    config.getLoggers().values().forEach(l -> l.addAppender(appender, null, null));
    context.updateLoggers();
    try {
      body.run();
    } finally {
      config.getRootLogger().removeAppender("secrets-test");
      config.getLoggers().values().forEach(l -> l.removeAppender("secrets-test"));
      context.updateLoggers();
      appender.stop();
    }
    return text.toString();
  }
}
