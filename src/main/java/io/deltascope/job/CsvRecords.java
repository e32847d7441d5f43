package io.deltascope.job;

import java.util.ArrayList;
import java.util.List;

/**
 * CSV as RFC 4180 reads it, as spreadsheets and pandas write it: fields separated by commas,
 * records by CRLF or LF; a field in double quotes may hold commas, line breaks and doubled quotes.
 * Blank lines and lines starting with {@code #} (outside quotes) are skipped.
 */
final class CsvRecords {
  private CsvRecords() {}

  static List<PairSpec.Record> parse(String file, String text) {
    List<PairSpec.Record> records = new ArrayList<>();
    int line = 1;
    int i = 0;
    while (i < text.length()) {
      int start = line;
      int end = lineEnd(text, i);
      String whole = text.substring(i, end);
      if (whole.isBlank() || whole.stripLeading().startsWith("#")) {
        i = next(text, end);
        line++;
        continue;
      }
      List<String> cells = new ArrayList<>();
      StringBuilder cell = new StringBuilder();
      boolean quoted = false;
      boolean wasQuoted = false;
      for (; i < text.length(); i++) {
        char c = text.charAt(i);
        if (quoted) {
          if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
            cell.append('"');
            i++;
          } else if (c == '"') {
            quoted = false;
          } else {
            if (c == '\n') {
              line++;
            }
            cell.append(c);
          }
        } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
          quoted = true;
          wasQuoted = true;
          cell.setLength(0);
        } else if (c == ',') {
          cells.add(cell.toString());
          cell.setLength(0);
          wasQuoted = false;
        } else if (c == '\n' || c == '\r') {
          break;
        } else if (wasQuoted && !Character.isWhitespace(c)) {
          throw new IllegalArgumentException(
              String.format(
                  "%s: line %d: text after a closing quote (a quote inside a quoted field is"
                      + " written twice: \"\")",
                  file, line));
        } else {
          cell.append(c);
        }
      }
      if (quoted) {
        throw new IllegalArgumentException(
            String.format("%s: line %d: a quoted field is never closed", file, start));
      }
      cells.add(cell.toString());
      records.add(new PairSpec.Record(start, List.copyOf(cells)));
      i = next(text, i);
      line++;
    }
    return records;
  }

  private static int lineEnd(String text, int from) {
    int end = from;
    while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
      end++;
    }
    return end;
  }

  /** Past the line break at {@code at} (CRLF, LF or CR). */
  private static int next(String text, int at) {
    if (at < text.length() && text.charAt(at) == '\r') {
      at++;
    }
    if (at < text.length() && text.charAt(at) == '\n') {
      at++;
    }
    return at;
  }
}
