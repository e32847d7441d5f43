package io.deltascope.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;

/**
 * What each stored column means, as the comment {@code DESCRIBE} shows: metric columns from {@link
 * Metric}'s descriptions, the others from here. A column that means different things in different
 * tables has a "table.column" entry.
 */
public final class ColumnComments {
  private ColumnComments() {}

  private static final Map<String, String> COMMENTS =
      Map.ofEntries(
          Map.entry(Tables.RUN_ID, "the run: one command's comparison; every table's key"),
          Map.entry("runs.pair", "the pair's name in a batch's pairs file; null for a single run"),
          Map.entry(
              "batch_id",
              "the batch or trajectory that wrote the run (its run id); null for a single run"),
          Map.entry(
              "step_from",
              "a trajectory pair's base: the index of its checkpoint, 0 the first; else null"),
          Map.entry(
              "step_to",
              "a trajectory pair's later checkpoint, as an index like step_from; else null"),
          Map.entry("command", "the command that wrote the run: weight-diff, activation-diff, ..."),
          Map.entry("base", "the base checkpoint, as named (credentials removed)"),
          Map.entry("finetuned", "the fine-tuned checkpoint, as named (credentials removed)"),
          Map.entry("started_at", "when the run started"),
          Map.entry("finished_at", "when the run finished"),
          Map.entry("tool_version", "the deltascope version that wrote the run"),
          Map.entry("options", "the run's options, as JSON"),
          Map.entry("runs.status", "succeeded or failed"),
          Map.entry("error", "the one-line error of a failed run"),
          Map.entry(
              "profile",
              "the diagnosis profile of a fine_tune: surgical, standard, heavy or extreme; else"
                  + " null"),
          Map.entry(
              "mean_relative_delta",
              "the headline mean: unweighted mean of relative_delta over the compared 2-D weight"
                  + " matrices"),
          Map.entry(
              "kind",
              "what the pair is: identical, quantization, lora_merge, unrelated or fine_tune"),
          Map.entry("diagnosis", "the run's diagnosis (profile, summary, findings) as JSON"),
          Map.entry(
              Tables.ROW_COUNTS,
              "rows the run wrote per table (table -> count), checked by sql, report and store"
                  + " check; null for a run written before deltascope recorded them"),
          Map.entry(Tables.TENSOR, "the tensor's name in the checkpoint"),
          Map.entry(
              "tensor_metrics.layer",
              "the decoder block the tensor belongs to, -1 the embeddings; null for the other"
                  + " tensors outside the blocks"),
          Map.entry("component", "the tensor's role: attn_q, mlp_down, embed, norm, ..., other"),
          Map.entry(
              "tensor_metrics.status",
              "compared, shape_changed, only_in_base, only_in_finetuned or not_numeric"),
          Map.entry("shape_base", "the tensor's shape in the base; null when absent there"),
          Map.entry(
              "shape_finetuned", "the tensor's shape in the fine-tune; null when absent there"),
          Map.entry("dtype_base", "the stored type in the base"),
          Map.entry("dtype_finetuned", "the stored type in the fine-tune"),
          Map.entry(
              "spectrum_status",
              "computed, zero_delta, non_finite, not_matrix, skipped or too_large"),
          Map.entry("spectrum_method", "gram (one task) or rowmatrix_gramian (MLlib, many tasks)"),
          Map.entry("singular_values_top", "the delta's top k singular values, descending"),
          Map.entry("index", "the singular value's position, 0 the largest"),
          Map.entry("value", "the singular value of B - A"),
          Map.entry("prompt_index", "the prompt's position in the prompt list"),
          Map.entry("prompt", "the prompt's text"),
          Map.entry("num_tokens", "the prompt's tokens (the base's tokenizer)"),
          Map.entry(
              "activation_metrics.layer", "layer l: the output of block l; -1 the embeddings"),
          Map.entry(
              "cosine_last_token", "cosine of the two models' residuals at the last position"),
          Map.entry("cosine_all_tokens", "cosine of the residuals, averaged over positions"),
          Map.entry("divergence", "1 - cosine_last_token"),
          Map.entry("model_index", "1 or 2: which of the compared models"),
          Map.entry("model", "the model's location"),
          Map.entry(
              "logit_lens.layer",
              "layer l (block l's output, -1 the embeddings) read through the head"),
          Map.entry("rank", "the token's rank at this layer, 1 the most probable"),
          Map.entry("token_id", "the token's id in this model's vocabulary"),
          Map.entry("token", "the token, decoded"),
          Map.entry("prob", "the token's softmax probability"),
          Map.entry("tracked", "whether the user asked to track this token"));

  /** The comment of {@code column} in {@code table}; null when none is known. */
  public static String of(String table, String column) {
    String specific = COMMENTS.get(table + "." + column);
    if (specific != null) {
      return specific;
    }
    return Metric.named(column).map(Metric::description).orElse(COMMENTS.get(column));
  }

  /**
   * {@code table}'s columns as stored, {@code run_id} first (a partition column comes back last)
   * and each with its comment.
   */
  public static Dataset<Row> described(Dataset<Row> data, String table) {
    List<String> names = new ArrayList<>(Arrays.asList(data.columns()));
    if (names.remove(Tables.RUN_ID)) {
      names.add(0, Tables.RUN_ID);
    }
    List<Column> columns = new ArrayList<>();
    for (String name : names) {
      String comment = of(table, name);
      Column c = functions.col("`" + name + "`");
      columns.add(comment == null ? c : c.as(name, commented(comment)));
    }
    return data.select(columns.toArray(Column[]::new));
  }

  private static Metadata commented(String comment) {
    return new MetadataBuilder().putString("comment", comment).build();
  }
}
