package io.deltascope.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The prompt list of {@code -p}: "a,b,c", or "@FILE" with one prompt per line. */
final class Prompts {
  private Prompts() {}

  static List<String> parse(String arg) {
    List<String> prompts = new ArrayList<>();
    if (arg.startsWith("@")) {
      Path file = Path.of(arg.substring(1));
      if (!Files.isRegularFile(file)) {
        throw new UserException(file + ": no such prompt file (-p @FILE reads one prompt a line)");
      }
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          if (!line.isBlank()) {
            prompts.add(line.strip());
          }
        }
      } catch (IOException e) {
        throw new UserException(file + ": cannot read: " + e.getMessage());
      }
      if (prompts.isEmpty()) {
        throw new UserException(file + ": no prompts in the file (expected one a line)");
      }
      return List.copyOf(prompts);
    }
    for (String p : arg.split(",")) {
      if (!p.isBlank()) {
        prompts.add(p.strip());
      }
    }
    if (prompts.isEmpty()) {
      throw new UsageException("no prompts: -p '" + arg + "' has none (expected \"a,b\" or @FILE)");
    }
    return List.copyOf(prompts);
  }
}
