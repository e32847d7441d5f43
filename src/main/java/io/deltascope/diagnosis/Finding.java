package io.deltascope.diagnosis;

/**
 * One thing a diagnosis noticed.
 *
 * @param category what it is about: lora, untouched, norms, head, embeddings, vocabulary, dtype,
 *     balance, depth, structure, non_finite
 * @param severity {@value #INFO}, {@value #NOTICE} or {@value #WARNING}
 * @param title one line
 * @param detail the numbers behind it
 */
public record Finding(String category, String severity, String title, String detail) {
  public static final String INFO = "info";
  public static final String NOTICE = "notice";
  public static final String WARNING = "warning";

  static Finding info(String category, String title, String detail) {
    return new Finding(category, INFO, title, detail);
  }

  static Finding notice(String category, String title, String detail) {
    return new Finding(category, NOTICE, title, detail);
  }

  static Finding warning(String category, String title, String detail) {
    return new Finding(category, WARNING, title, detail);
  }
}
