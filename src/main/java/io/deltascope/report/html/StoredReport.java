package io.deltascope.report.html;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.Shape;
import io.deltascope.diagnosis.Diagnosis;
import io.deltascope.diff.ComponentDelta;
import io.deltascope.diff.Structural;
import io.deltascope.diff.Summary;
import io.deltascope.diff.TensorStatus;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.report.JsonReport;
import io.deltascope.results.ResultsStore;
import io.deltascope.results.Tables;
import io.deltascope.results.TensorMetricsRow;
import io.deltascope.results.TensorResult;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;

/**
 * A run of a results store read back as the documents a report renders: the weight-diff document
 * rebuilt from the run's {@code runs} row and {@code tensor_metrics} rows with the same code that
 * wrote it the first time ({@link JsonReport}).
 */
public final class StoredReport {
  private StoredReport() {}

  /**
   * @throws IllegalArgumentException naming the store and the run when the run is not there, did
   *     not succeed, or is of a command this report cannot rebuild
   */
  public static ReportDocuments load(SparkSession spark, String store, String runId) {
    ResultsStore.checkRunId(runId);
    ResultsStore results = new ResultsStore(spark, store);
    checkRunExists(results, store, runId);
    List<Row> runs = forRun(results.table(Tables.RUNS), runId).collectAsList();
    if (runs.isEmpty()) {
      throw new IllegalArgumentException(store + ": no run '" + runId + "' in the runs table");
    }
    Row run = runs.get(0);
    String command = run.getAs("command");
    String status = run.getAs("status");
    if (!"succeeded".equals(status)) {
      throw new IllegalArgumentException(
          store + ": run '" + runId + "' " + status + ": " + run.getAs("error"));
    }
    if (!"weight-diff".equals(command)) {
      throw new IllegalArgumentException(
          store
              + ": run '"
              + runId
              + "' is a "
              + command
              + " run; reports are rebuilt from"
              + " weight-diff runs (write the others' reports with -o FILE.html)");
    }
    WeightDiffResult result =
        result(run.getAs("base"), run.getAs("finetuned"), tensorRows(results, runId));
    ObjectNode doc =
        FullSpectra.attach(
            JsonReport.weightDiff(result, List.of(), diagnosis(run, result)),
            storedSpectra(results, runId));
    String version = run.getAs("tool_version");
    if (version != null) {
      doc.put("tool_version", version);
    }
    Timestamp started = run.getAs("started_at");
    ReportDocuments docs = ReportDocuments.weightDiff(doc).with(storedRun(run, command, runId));
    return started == null ? docs : docs.withDate(started.toInstant());
  }

  /**
   * The diagnosis the command stored with the run (made with the pair's configs and quantized
   * sides, which the tensor rows alone lack); for a store written before runs carried one, the
   * diagnosis of {@code result}, the run's rows.
   */
  static Diagnosis diagnosis(Row run, WeightDiffResult result) {
    String stored = field(run, "diagnosis"); // a store written before runs carried it: null
    if (stored == null || stored.isBlank()) {
      return Diagnosis.of(result);
    }
    try {
      return JsonReport.readDiagnosis(JsonReport.MAPPER.readTree(stored));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException(
          "run '" + run.getAs(Tables.RUN_ID) + "': its stored diagnosis is not JSON: " + stored, e);
    }
  }

  /**
   * How {@code command} made the run (or, with {@code runId} null, the batch) {@code run} is of.
   */
  static StoredRun storedRun(Row run, String command, String runId) {
    return new StoredRun(
        command,
        StoredRun.options(field(run, "options")),
        runId,
        field(run, "batch_id"),
        field(run, "tool_version"));
  }

  /** A text column of the runs row; null when a store of an earlier version has no such column. */
  private static String field(Row run, String column) {
    return Arrays.asList(run.schema().fieldNames()).contains(column) ? run.getAs(column) : null;
  }

  private static void checkRunExists(ResultsStore results, String store, String runId) {
    if (results.hasRun(runId)) {
      return;
    }
    List<String> known =
        results
            .table(Tables.RUNS)
            .select(Tables.RUN_ID)
            .as(org.apache.spark.sql.Encoders.STRING())
            .collectAsList()
            .stream()
            .sorted()
            .toList();
    String listed =
        known.size() > 10
            ? String.join(", ", known.subList(known.size() - 10, known.size()))
                + " (the last 10 of "
                + known.size()
                + ")"
            : String.join(", ", known);
    throw new IllegalArgumentException(
        store + ": no run '" + runId + "' (runs there: " + listed + ")");
  }

  private static Dataset<Row> forRun(Dataset<Row> table, String runId) {
    return table.where(functions.col(Tables.RUN_ID).cast("string").equalTo(runId));
  }

  /**
   * The run's rows as beans: each bean property from the stored column of the same name but for
   * case and underscores (the inverse of {@link Tables#asTable}); a property without a column (one
   * a later version added) stays null.
   */
  static List<TensorResult> tensorRows(ResultsStore results, String runId) {
    // the run's rows, checked against the count its runs row records
    Dataset<Row> table = results.runRows(Tables.TENSOR_METRICS, runId);
    Map<String, String> columns = new HashMap<>();
    for (String c : table.columns()) {
      columns.put(Tables.propertyKey(c), c);
    }
    List<Column> selected = new ArrayList<>();
    for (StructField field : TensorMetricsRow.ENCODER.schema().fields()) {
      String column = columns.get(key(field.name()));
      selected.add(
          (column == null ? functions.lit(null) : functions.col(column))
              .cast(field.dataType())
              .as(field.name()));
    }
    List<TensorResult> rows =
        new ArrayList<>(
            table
                .select(selected.toArray(Column[]::new))
                .as(TensorMetricsRow.ENCODER)
                .collectAsList()
                .stream()
                .map(TensorMetricsRow::toResult)
                .toList());
    rows.sort(Comparator.comparing(TensorResult::name));
    return rows;
  }

  /** Each tensor's full spectrum from the run's {@code spectra} rows, in index order. */
  static Map<String, List<Double>> storedSpectra(ResultsStore results, String runId) {
    Map<String, List<Double>> byTensor = new HashMap<>();
    results
        .runRows(Tables.SPECTRA, runId)
        .orderBy(Tables.TENSOR, "index")
        .collectAsList()
        .forEach(
            r ->
                byTensor
                    .computeIfAbsent(r.getAs(Tables.TENSOR), k -> new ArrayList<>())
                    .add(r.getAs("value")));
    return byTensor;
  }

  /** The result as the command had it, from its rows: the structural lists follow from status. */
  static WeightDiffResult result(String base, String finetuned, List<TensorResult> rows) {
    List<String> onlyInBase = new ArrayList<>();
    List<String> onlyInFinetuned = new ArrayList<>();
    List<Structural.ShapeChange> shapes = new ArrayList<>();
    List<Structural.DtypeChange> dtypes = new ArrayList<>();
    List<String> notNumeric = new ArrayList<>();
    for (TensorResult r : rows) {
      String status = r.status() == null ? "" : r.status();
      if (status.equals(TensorStatus.ONLY_IN_BASE.label())) {
        onlyInBase.add(r.name());
      } else if (status.equals(TensorStatus.ONLY_IN_FINETUNED.label())) {
        onlyInFinetuned.add(r.name());
      } else if (status.equals(TensorStatus.NOT_NUMERIC.label())) {
        notNumeric.add(r.name());
      } else if (status.equals(TensorStatus.SHAPE_CHANGED.label())) {
        Shape a = shape(r.shapeBase());
        Shape b = shape(r.shapeFinetuned());
        Long common = a.differsOnlyInFirstDim(b) ? Math.min(a.dim(0), b.dim(0)) : null;
        shapes.add(
            new Structural.ShapeChange(r.name(), a, b, common, WeightDiffResult.metricsOf(r)));
      }
      if (r.dtypeBase() != null
          && r.dtypeFinetuned() != null
          && !Objects.equals(r.dtypeBase(), r.dtypeFinetuned())) {
        dtypes.add(new Structural.DtypeChange(r.name(), r.dtypeBase(), r.dtypeFinetuned()));
      }
    }
    Structural structural =
        new Structural(onlyInBase, onlyInFinetuned, shapes, dtypes, List.of(), notNumeric);
    return new WeightDiffResult(
        base,
        finetuned,
        List.copyOf(rows),
        structural,
        ComponentDelta.aggregate(rows),
        Summary.of(rows, structural));
  }

  private static Shape shape(List<Long> dims) {
    return Shape.of(dims.stream().mapToLong(Long::longValue).toArray());
  }

  private static String key(String property) {
    return property.toLowerCase(Locale.ROOT);
  }
}
