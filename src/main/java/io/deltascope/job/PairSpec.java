package io.deltascope.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deltascope.checkpoint.Locations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One pair of a batch: a name (unique in the batch; it names the run) and the two checkpoints.
 *
 * @param name the pair's name
 * @param base the base checkpoint's location
 * @param finetuned the fine-tuned checkpoint's location
 */
public record PairSpec(String name, String base, String finetuned) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Reads a pairs file: CSV rows {@code name,base,finetuned} (a header row with those names is
   * optional; blank lines and lines starting with # are skipped), or JSON Lines objects with those
   * keys when the file ends in .jsonl or .json. A local path or a Hadoop URI.
   */
  public static List<PairSpec> read(String location) {
    String text = new String(Locations.readAll(location), StandardCharsets.UTF_8);
    String lower = location.toLowerCase(Locale.ROOT);
    boolean jsonLines = lower.endsWith(".jsonl") || lower.endsWith(".json");
    List<PairSpec> pairs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    String[] lines = text.split("\r?\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      PairSpec pair = jsonLines ? json(location, i + 1, line) : csv(location, i + 1, line);
      if (pair == null) {
        continue; // the header
      }
      if (!names.add(pair.name())) {
        throw new IllegalArgumentException(
            location + ": line " + (i + 1) + ": pair name '" + pair.name() + "' appears twice");
      }
      pairs.add(pair);
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException(
          location + ": no pairs (expected name,base,finetuned rows)");
    }
    return List.copyOf(pairs);
  }

  private static PairSpec csv(String file, int lineNumber, String line) {
    String[] cells = line.split(",", -1);
    if (cells.length != 3) {
      throw new IllegalArgumentException(
          String.format(
              "%s: line %d: expected 3 columns name,base,finetuned, found %d",
              file, lineNumber, cells.length));
    }
    if (lineNumber == 1 && cells[0].strip().equals("name") && cells[1].strip().equals("base")) {
      return null;
    }
    return checked(file, lineNumber, cells[0].strip(), cells[1].strip(), cells[2].strip());
  }

  private static PairSpec json(String file, int lineNumber, String line) {
    try {
      JsonNode node = JSON.readTree(line);
      return checked(
          file,
          lineNumber,
          node.path("name").asText(""),
          node.path("base").asText(""),
          node.path("finetuned").asText(""));
    } catch (IOException e) {
      throw new IllegalArgumentException(file + ": line " + lineNumber + ": not a JSON object");
    }
  }

  private static PairSpec checked(String file, int line, String name, String base, String ft) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          String.format(
              "%s: line %d: pair name '%s' must be letters, digits, '.', '_' or '-'",
              file, line, name));
    }
    if (base.isEmpty() || ft.isEmpty()) {
      throw new IllegalArgumentException(
          String.format(
              "%s: line %d: pair '%s' needs a base and a finetuned checkpoint", file, line, name));
    }
    return new PairSpec(name, base, ft);
  }
}
