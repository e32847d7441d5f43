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
   * Reads a pairs file: CSV rows {@code name,base,finetuned} as RFC 4180 reads them (quoted fields;
   * a header row with those names is optional; a UTF-8 byte-order mark, blank lines and lines
   * starting with # are skipped), or JSON Lines objects with those keys when the file ends in
   * .jsonl or .json. A local path or a Hadoop URI.
   */
  public static List<PairSpec> read(String location) {
    String text = new String(Locations.readAll(location), StandardCharsets.UTF_8);
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1); // the byte-order mark spreadsheets save CSV with
    }
    String lower = location.toLowerCase(Locale.ROOT);
    boolean jsonLines = lower.endsWith(".jsonl") || lower.endsWith(".json");
    List<PairSpec> pairs = new ArrayList<>();
    Set<String> names = new HashSet<>();
    List<Record> records = jsonLines ? jsonRecords(text) : CsvRecords.parse(location, text);
    for (int r = 0; r < records.size(); r++) {
      Record record = records.get(r);
      PairSpec pair = jsonLines ? json(location, record) : csv(location, record, r == 0);
      if (pair == null) {
        continue; // the header
      }
      if (!names.add(pair.name())) {
        throw new IllegalArgumentException(
            location
                + ": line "
                + record.line()
                + ": pair name '"
                + pair.name()
                + "' appears twice");
      }
      pairs.add(pair);
    }
    if (pairs.isEmpty()) {
      throw new IllegalArgumentException(
          location + ": no pairs (expected name,base,finetuned rows)");
    }
    return List.copyOf(pairs);
  }

  /** One record of a pairs file: its cells (CSV) or its text (JSON Lines), and where it starts. */
  record Record(int line, List<String> cells) {}

  private static List<Record> jsonRecords(String text) {
    List<Record> records = new ArrayList<>();
    String[] lines = text.split("\r?\n|\r");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.isEmpty() && !line.startsWith("#")) {
        records.add(new Record(i + 1, List.of(line)));
      }
    }
    return records;
  }

  private static PairSpec csv(String file, Record record, boolean first) {
    List<String> cells = record.cells();
    if (cells.size() != 3) {
      throw new IllegalArgumentException(
          String.format(
              "%s: line %d: expected 3 columns name,base,finetuned, found %d",
              file, record.line(), cells.size()));
    }
    if (first && cells.get(0).strip().equals("name") && cells.get(1).strip().equals("base")) {
      return null;
    }
    return checked(
        file, record.line(), cells.get(0).strip(), cells.get(1).strip(), cells.get(2).strip());
  }

  private static PairSpec json(String file, Record record) {
    int lineNumber = record.line();
    try {
      JsonNode node = JSON.readTree(record.cells().get(0));
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
