package io.deltascope.diff;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.SafetensorsFiles;
import io.deltascope.checkpoint.Checkpoint;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tensor emptied on one side is reshaped, not a vocabulary resize with zero common rows. */
class EmptyTensorTest {
  @TempDir Path dir;

  @Test
  void aZeroLengthTensorIsNotAVocabularyResize() throws Exception {
    String name = "model.embed_tokens.weight";
    Path base =
        SafetensorsFiles.write(
            dir.resolve("base.safetensors"),
            Map.of(name, new SafetensorsFiles.Tensor("F32", new long[] {2, 2}, new double[4])));
    Path emptied =
        SafetensorsFiles.write(
            dir.resolve("emptied.safetensors"),
            Map.of(name, new SafetensorsFiles.Tensor("F32", new long[] {0, 2}, new double[0])));
    WeightDiffPlan plan =
        WeightDiffPlan.of(Checkpoint.open(base.toString()), Checkpoint.open(emptied.toString()));
    assertThat(plan.structural().shapeChanged()).hasSize(1);
    assertThat(plan.structural().shapeChanged().get(0).commonRows()).isNull();
    assertThat(plan.pairs()).isEmpty();
  }
}
