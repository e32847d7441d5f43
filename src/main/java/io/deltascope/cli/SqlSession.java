package io.deltascope.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.deltascope.report.JsonReport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * {@code sql --serve}: many queries over one Spark session, so a notebook pays the JVM and Spark
 * start once. A query is a line holding one JSON string (SQL spans lines; JSON keeps it on one);
 * its answer is one JSON line, {@code {"result": TEXT}} or {@code {"error": LINE}}, and a failed
 * query, whatever it threw (Spark's checked {@code AnalysisException} too), leaves the session
 * serving. Answers escape non-ASCII characters, so a reader decodes them whatever the terminal's
 * charset.
 */
final class SqlSession {
  private static final ObjectWriter LINE =
      JsonReport.MAPPER
          .writer()
          .without(SerializationFeature.INDENT_OUTPUT)
          .with(JsonWriteFeature.ESCAPE_NON_ASCII);

  private final Function<String, String> answer;
  private final Consumer<Exception> failed;

  /**
   * @param answer a query's text to its answer, throwing when the query fails
   * @param failed told of each query that fails (for {@code --verbose}'s stack trace)
   */
  SqlSession(Function<String, String> answer, Consumer<Exception> failed) {
    this.answer = answer;
    this.failed = failed;
  }

  /** Answers every query line of {@code in} until it ends. */
  void serve(Reader in, PrintWriter out) {
    BufferedReader lines = new BufferedReader(in);
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (!line.isBlank()) {
          out.println(LINE.writeValueAsString(reply(line)));
          out.flush();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("sql --serve: cannot read the queries: " + e.getMessage(), e);
    }
  }

  private Map<String, String> reply(String line) {
    String query;
    try {
      query = JsonReport.MAPPER.readValue(line, String.class);
    } catch (JsonProcessingException e) {
      query = null;
    }
    if (query == null) {
      return Map.of("error", "a query line must be one JSON string, not: " + abbreviated(line));
    }
    try {
      return Map.of("result", answer.apply(query));
    } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
      failed.accept(e);
      return Map.of("error", Errors.oneLine(e));
    }
  }

  private static String abbreviated(String line) {
    return line.length() <= 80 ? line : line.substring(0, 77) + "...";
  }
}
