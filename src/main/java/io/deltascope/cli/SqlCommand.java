package io.deltascope.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.report.JsonReport;
import io.deltascope.results.ResultsStore;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code deltascope sql}: Spark SQL over a results store, every table registered as a view. */
@Command(
    name = "sql",
    mixinStandardHelpOptions = true,
    description = "Run Spark SQL over a results store (runs, tensor_metrics, ... as views).")
final class SqlCommand implements Callable<Integer> {
  private static final String TABLE_NOT_FOUND = "TABLE_OR_VIEW_NOT_FOUND";

  enum Format {
    table,
    csv,
    json
  }

  @Option(names = "--results", required = true, paramLabel = "DIR", description = "The store.")
  String results;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "QUERY",
      description = "A Spark SQL query (none with --serve).")
  String query;

  @Option(
      names = "--serve",
      description =
          "Answer many queries in one Spark session, for a notebook or script: read one query a"
              + " line from stdin, each a JSON string, and write one JSON line for each,"
              + " {\"result\": TEXT in --format} or {\"error\": LINE}, until stdin ends.")
  boolean serve;

  @Option(
      names = "--format",
      defaultValue = "table",
      description = "table, csv or json (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--max-rows",
      defaultValue = "10000",
      paramLabel = "N",
      description = "At most N rows (default: ${DEFAULT-VALUE}; more are said on stderr).")
  int maxRows;

  @Mixin RunOptions run;
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (maxRows < 0) {
      throw new UsageException("--max-rows must be 0 or more, not " + maxRows);
    }
    if (serve == (query != null)) {
      throw new UsageException(
          serve
              ? "--serve reads its queries from stdin; give no QUERY"
              : "Missing required parameter: 'QUERY'");
    }
    SparkSession spark = run.startSpark("deltascope sql");
    ResultsStore store = new ResultsStore(spark, results);
    store.checkReadable();
    PrintWriter out = spec.commandLine().getOut();
    if (serve) {
      PrintWriter err = spec.commandLine().getErr();
      new SqlSession(queryText -> answer(spark, store, queryText), failure -> stack(failure, err))
          .serve(new InputStreamReader(System.in, StandardCharsets.UTF_8), out);
      return Main.OK;
    }
    out.print(answer(spark, store, query));
    out.flush();
    return Main.OK;
  }

  /**
   * The views of the store's tables the query reads (all where it cannot tell), registered anew for
   * each query: a long session sees what was written since it started, and a query pays only for
   * reading the logs of its own tables.
   */
  private static void registerViews(ResultsStore store, Optional<Set<String>> tables) {
    try {
      if (tables.isPresent()) {
        store.registerViews(tables.get());
      } else {
        store.registerViews();
      }
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage());
    }
  }

  /** A failed query's stack trace, with {@code --verbose} only; its answer names it in a line. */
  private void stack(Exception failure, PrintWriter err) {
    if (run.verbose) {
      failure.printStackTrace(err);
      err.flush();
    }
  }

  /** One query's rows in {@code --format}, read through the store's views as they are now. */
  private String answer(SparkSession spark, ResultsStore store, String queryText) {
    Dataset<Row> rows = rows(spark, store, queryText);
    List<Row> collected =
        new ArrayList<>(
            store.read(
                () -> rows.limit((int) Math.min(Integer.MAX_VALUE, maxRows + 1L)).collectAsList()));
    boolean truncated = collected.size() > maxRows;
    if (truncated) {
      collected.remove(maxRows);
      spec.commandLine()
          .getErr()
          .printf("deltascope: sql: showing the first %d rows of more (--max-rows)%n", maxRows);
    }
    return switch (format) {
      case csv -> csv(rows.columns(), collected);
      case json -> json(rows.columns(), collected, truncated);
      default -> table(rows.columns(), collected);
    };
  }

  /** The query's rows, analysed; a table the store does not have is named with the store's. */
  private static Dataset<Row> rows(SparkSession spark, ResultsStore store, String queryText) {
    try {
      return ReadOnlyQuery.run(
          spark,
          store.resolveTimeTravel(queryText),
          store.tablePaths(),
          tables -> registerViews(store, tables));
    } catch (Exception e) { // Spark's AnalysisException is checked, and thrown unchecked
      if (e instanceof AnalysisException analysis
          && TABLE_NOT_FOUND.equals(analysis.getCondition())) {
        String name = analysis.getMessageParameters().getOrDefault("relationName", "?");
        throw store.noSuchTable(name.replace("`", ""));
      }
      throw e;
    }
  }

  static String table(String[] columns, List<Row> rows) {
    List<String[]> cells = new ArrayList<>();
    cells.add(columns);
    for (Row row : rows) {
      String[] line = new String[columns.length];
      for (int i = 0; i < columns.length; i++) {
        line[i] = text(row.get(i));
      }
      cells.add(line);
    }
    int[] widths = new int[columns.length];
    for (String[] line : cells) {
      for (int i = 0; i < line.length; i++) {
        widths[i] = Math.max(widths[i], line[i].length());
      }
    }
    StringBuilder out = new StringBuilder();
    for (int r = 0; r < cells.size(); r++) {
      String[] line = cells.get(r);
      for (int i = 0; i < line.length; i++) {
        out.append(i == 0 ? "" : "  ")
            .append(String.format("%-" + Math.max(1, widths[i]) + "s", line[i]));
      }
      out.append('\n');
      if (r == 0) {
        int total = 0;
        for (int w : widths) {
          total += w + 2;
        }
        out.append("-".repeat(Math.max(0, total - 2))).append('\n');
      }
    }
    out.append(String.format(Locale.ROOT, "(%d rows)%n", rows.size()));
    return out.toString();
  }

  static String csv(String[] columns, List<Row> rows) {
    StringBuilder out = new StringBuilder();
    out.append(String.join(",", List.of(columns).stream().map(SqlCommand::csvCell).toList()))
        .append('\n');
    for (Row row : rows) {
      List<String> line = new ArrayList<>();
      for (int i = 0; i < columns.length; i++) {
        line.add(csvCell(row.isNullAt(i) ? "" : text(row.get(i))));
      }
      out.append(String.join(",", line)).append('\n');
    }
    return out.toString();
  }

  static String json(String[] columns, List<Row> rows, boolean truncated) {
    ArrayNode array = JsonReport.MAPPER.createArrayNode();
    for (Row row : rows) {
      ObjectNode node = array.addObject();
      for (int i = 0; i < columns.length; i++) {
        node.set(columns[i], JsonReport.MAPPER.valueToTree(plain(row.get(i))));
      }
    }
    ObjectNode root = JsonReport.MAPPER.createObjectNode();
    root.set("rows", array);
    root.put("truncated", truncated);
    return JsonReport.toString(root);
  }

  private static Object plain(Object value) {
    if (value instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq);
    }
    if (value instanceof scala.collection.Map<?, ?> map) { // runs.row_counts
      return scala.jdk.javaapi.CollectionConverters.asJava(map);
    }
    if (value instanceof java.sql.Timestamp ts) {
      return ts.toInstant().toString();
    }
    if (value instanceof Double d && (d.isNaN() || d.isInfinite())) {
      return null;
    }
    return value;
  }

  private static String text(Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof scala.collection.Seq<?> seq) {
      return scala.jdk.javaapi.CollectionConverters.asJava(seq).toString();
    }
    if (value instanceof scala.collection.Map<?, ?> map) {
      return scala.jdk.javaapi.CollectionConverters.asJava(map).toString();
    }
    return value.toString();
  }

  private static String csvCell(String s) {
    if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
      return "\"" + s.replace("\"", "\"\"") + "\"";
    }
    return s;
  }
}
