package io.deltascope.cli;

import io.deltascope.diff.CompareResult;
import io.deltascope.model.PromptTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * compare's {@code --track}: each comma-separated string exactly as written, spaces included, since
 * a BPE model predicts " Paris" (with its space) and "Paris" as different tokens; "#1234" names a
 * token id.
 */
final class TrackedStrings {
  private static final Pattern ID = Pattern.compile("#(\\d{1,18})");

  private TrackedStrings() {}

  /** The strings as written, empty ones (",,") left out. */
  static List<String> parse(String arg) {
    List<String> out = new ArrayList<>();
    if (arg != null) {
      for (String s : arg.split(",", -1)) {
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * What {@code text} tracks under {@code tokenizer}: the id it names, or its first token.
   *
   * @param vocab the model's vocabulary size (0 when unknown)
   */
  static CompareResult.TrackedRequest request(
      String text, PromptTokenizer tokenizer, int vocab, String model) {
    var id = ID.matcher(text);
    if (id.matches()) {
      long value = Long.parseLong(id.group(1));
      if (vocab > 0 && value >= vocab) {
        throw new UserException(
            "--track '"
                + text
                + "': no token id "
                + value
                + " in "
                + model
                + " (vocabulary "
                + vocab
                + ")");
      }
      return new CompareResult.TrackedRequest(text, value, 1);
    }
    long[] ids = tokenizer.encodePlain(text);
    if (ids.length == 0) {
      throw new UserException("--track '" + text + "' is no token for " + model);
    }
    return new CompareResult.TrackedRequest(text, ids[0], ids.length);
  }
}
