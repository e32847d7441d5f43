package io.deltascope.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The prompts of {@code -p}, as people give them. Given more than once, each value is one prompt,
 * verbatim. Given once, it is a comma list ("a,b"; {@code \,} is a comma inside a prompt). A value
 * {@code @FILE} reads a file: {@code FILE.jsonl} holds one prompt a line as a JSON string or a
 * {@code {"prompt": ...}} object (so a prompt may hold newlines), any other file one prompt a line.
 * {@code \@} starts a prompt that begins with {@code @}.
 */
final class Prompts {
  static final String DESCRIPTION =
      "Repeatable: each -p one prompt, verbatim. One -p alone is a comma list (\\, a comma in a"
          + " prompt). @FILE: FILE.jsonl one JSON string or {\"prompt\": ...} a line (newlines"
          + " kept), any other file one prompt a line.";

  private static final ObjectMapper JSON = new ObjectMapper();

  private Prompts() {}

  /** The prompts of a repeatable {@code -p}. */
  static List<String> parse(List<String> args) {
    List<String> prompts = new ArrayList<>();
    for (String arg : args) {
      if (arg.startsWith("@")) {
        prompts.addAll(file(Path.of(arg.substring(1)), "-p", "prompt"));
      } else if (args.size() == 1) {
        prompts.addAll(commaList(arg));
      } else if (arg.isBlank()) {
        throw new UsageException("no prompt: one of the -p values is empty");
      } else {
        prompts.add(verbatim(arg));
      }
    }
    if (prompts.isEmpty()) {
      throw new UsageException(
          "no prompts: -p '"
              + String.join("' -p '", args)
              + "' has none (expected \"a,b\" or @FILE)");
    }
    return List.copyOf(prompts);
  }

  /** The one prompt of {@code compare}: the value verbatim, or a file holding exactly one. */
  static String single(String arg) {
    if (!arg.startsWith("@")) {
      String prompt = verbatim(arg);
      if (prompt.isBlank()) {
        throw new UsageException("no prompt: -p is empty");
      }
      return prompt;
    }
    Path path = Path.of(arg.substring(1));
    List<String> prompts = file(path, "-p", "prompt");
    if (prompts.size() != 1) {
      throw new UserException(
          path + ": " + prompts.size() + " prompts, but compare takes one (-p @FILE)");
    }
    return prompts.get(0);
  }

  /**
   * The items of a list option: "a,b,c", or "@FILE" with one item a line (blank lines skipped); an
   * empty list, or a missing file, is a one-line error naming {@code option}.
   *
   * @param noun what an item is, in the errors: "prompt", "checkpoint"
   */
  static List<String> items(String arg, String option, String noun) {
    if (arg.startsWith("@")) {
      return file(Path.of(arg.substring(1)), option, noun);
    }
    List<String> items = new ArrayList<>();
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

  // "a,b\, c" -> [a, "b, c"]: blank items skipped, each stripped as before
  private static List<String> commaList(String arg) {
    List<String> items = new ArrayList<>();
    for (String p : arg.split("(?<!\\\\),")) {
      if (!p.isBlank()) {
        items.add(verbatim(p.replace("\\,", ",").strip()));
      }
    }
    return items;
  }

  private static String verbatim(String arg) {
    return arg.startsWith("\\@") ? arg.substring(1) : arg;
  }

  private static List<String> file(Path file, String option, String noun) {
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
    List<String> lines = TextFiles.utf8(file).lines().toList();
    boolean jsonLines = file.getFileName().toString().endsWith(".jsonl");
    List<String> items = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (!line.isBlank()) {
        items.add(jsonLines ? jsonPrompt(file, i + 1, line) : line.strip());
      }
    }
    if (items.isEmpty()) {
      throw new UserException(file + ": no " + noun + "s in the file (expected one a line)");
    }
    return List.copyOf(items);
  }

  // one JSON Lines line: "text" or {"prompt": "text"}, kept exactly (newlines and spaces too)
  private static String jsonPrompt(Path file, int line, String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UserException(
          file + ": line " + line + ": not JSON (" + e.getOriginalMessage() + ")");
    }
    if (node.isTextual()) {
      return node.asText();
    }
    if (node.isObject() && node.path("prompt").isTextual()) {
      return node.get("prompt").asText();
    }
    if (node.isObject() && node.has("messages")) {
      throw new UserException(
          file
              + ": line "
              + line
              + ": chat messages need the model's chat template, which deltascope does not render;"
              + " give the rendered text as {\"prompt\": ...}");
    }
    throw new UserException(
        file + ": line " + line + ": expected a JSON string or {\"prompt\": \"...\"}");
  }
}
