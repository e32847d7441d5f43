package io.deltascope.checkpoint;

import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What must never be printed, logged or stored, as Spark decides it: a setting whose key or value
 * matches Spark's redaction pattern ({@code spark.redaction.regex}) is shown as {@link #REDACTED},
 * and the values of such settings (and the Hub token) are masked wherever they appear in a line.
 * Every output that can carry user text (reports' provenance, the {@code runs} row, error lines and
 * stack traces) passes through {@link #current()}.
 *
 * @param sensitive Spark's redaction pattern, the user's own when set
 * @param secrets the values known to be secret in this run
 */
public record Redaction(Pattern sensitive, Set<String> secrets) {
  /** What Spark writes in a redacted value's place ({@code Utils.REDACTION_REPLACEMENT_TEXT}). */
  public static final String REDACTED = "*********(redacted)";

  /** Spark's default {@code spark.redaction.regex}, for before a command has read its own. */
  public static final String SPARK_DEFAULT = "(?i)secret|password|token|access[.]?key";

  // shorter values are not masked inside text: they would take ordinary words with them
  private static final int MASKED_LENGTH = 4;
  // KEY=VALUE in a line (a --conf setting, also as --conf=KEY=VALUE): the value ends at a space
  // or a quote
  private static final Pattern KEY = Pattern.compile("([\\w.\\-]+)=");
  private static final Pattern VALUE = Pattern.compile("[^\\s'\"]+");
  private static final Pattern AUTHORIZATION =
      Pattern.compile("(?i)(authorization\\s*[:=]\\s*)(?:(?:bearer|basic|token)\\s+)?[^\\s'\",]+");

  private static volatile Supplier<Redaction> current = Redaction::sparkDefault;

  public Redaction {
    secrets = Set.copyOf(secrets);
  }

  /** Spark's default pattern, no value known. */
  public static Redaction sparkDefault() {
    return new Redaction(Pattern.compile(SPARK_DEFAULT), Set.of());
  }

  /** The redaction of the command running now (computed once, when first asked). */
  public static Redaction current() {
    return current.get();
  }

  /** Sets the running command's redaction; {@code redaction} is called once, when first needed. */
  public static void use(Supplier<Redaction> redaction) {
    Redaction[] made = new Redaction[1];
    current =
        () -> {
          synchronized (made) {
            if (made[0] == null) {
              made[0] = redaction.get();
            }
            return made[0];
          }
        };
  }

  /** This redaction with {@code more} secret values. */
  public Redaction with(Collection<String> more) {
    Set<String> all = new LinkedHashSet<>(secrets);
    more.stream().filter(s -> s != null && !s.isEmpty()).forEach(all::add);
    return new Redaction(sensitive, all);
  }

  /** Whether Spark would redact the setting {@code key=value} (its key or its value matches). */
  public boolean isSecret(String key, String value) {
    return sensitive.matcher(key).find() || (value != null && sensitive.matcher(value).find());
  }

  /** A setting's value as it may be shown: {@link #REDACTED} when Spark would redact it. */
  public String setting(String key, String value) {
    return isSecret(key, value) ? REDACTED : text(value);
  }

  /**
   * {@code text} without secrets: every known secret value, the value of each {@code KEY=VALUE}
   * whose key is sensitive, and the credentials of an {@code Authorization} header are replaced by
   * {@link #REDACTED}.
   */
  public String text(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String secret : secrets) {
      if (secret.length() >= MASKED_LENGTH) {
        out = out.replace(secret, REDACTED);
      }
    }
    out =
        AUTHORIZATION.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + REDACTED));
    return settings(out);
  }

  /** Each {@code KEY=VALUE} of a sensitive key with its value redacted. */
  private String settings(String text) {
    StringBuilder out = new StringBuilder();
    int copied = 0;
    Matcher key = KEY.matcher(text);
    while (key.find()) {
      Matcher value = VALUE.matcher(text).region(key.end(), text.length());
      if (sensitive.matcher(key.group(1)).find() && value.lookingAt()) {
        out.append(text, copied, key.end()).append(REDACTED);
        copied = value.end();
        key.region(copied, text.length());
      }
    }
    return out.append(text, copied, text.length()).toString();
  }
}
