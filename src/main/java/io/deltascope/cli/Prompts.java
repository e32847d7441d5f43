package io.deltascope.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The prompt list of {@code -p} (and other list options): "a,b,c", or "@FILE", one a line. */
final class Prompts {
  private Prompts() {}

  static List<String> parse(String arg) {
    return items(arg, "-p", "prompt");
  }

  /**
   * The items of a list option: "a,b,c", or "@FILE" with one item a line (blank lines skipped); an
   * empty list, or a missing file, is a one-line error naming {@code option}.
   *
   * @param noun what an item is, in the errors: "prompt", "checkpoint"
   */
  static List<String> items(String arg, String option, String noun) {
    List<String> items = new ArrayList<>();
    if (arg.startsWith("@")) {
      Path file = Path.of(arg.substring(1));
      if (!Files.isRegularFile(file)) {
        throw new UserException(
            file
                + ": no such "
                + noun
                + " file ("
                + option
                + " @FILE reads one "
                + noun
                + " a line)");
      }
      TextFiles.utf8(file)
          .lines()
          .filter(line -> !line.isBlank())
          .map(String::strip)
          .forEach(items::add);
      if (items.isEmpty()) {
        throw new UserException(file + ": no " + noun + "s in the file (expected one a line)");
      }
      return List.copyOf(items);
    }
    for (String p : arg.split(",")) {
      if (!p.isBlank()) {
        items.add(p.strip());
      }
    }
    if (items.isEmpty()) {
      throw new UsageException(
          "no " + noun + "s: " + option + " '" + arg + "' has none (expected \"a,b\" or @FILE)");
    }
    return List.copyOf(items);
  }
}
