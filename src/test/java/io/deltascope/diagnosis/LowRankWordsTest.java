package io.deltascope.diagnosis;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltascope.Planted;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.SafetensorsWriter;
import io.deltascope.checkpoint.Shape;
import io.deltascope.diff.LocalDiff;
import io.deltascope.diff.WeightDiffResult;
import io.deltascope.results.TensorResult;
import io.deltascope.tensor.HalfFloats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "low-rank" words only where the bf16 rank floor leaves room to tell: a dense fine-tune whose
 * spectrum runs on under the floor is not called low-rank however few of its values stand above it,
 * and a real low-rank update saved in bf16 still is.
 */
class LowRankWordsTest {
  private static final int SIDE = 128;
  private static final String NORM = "model.layers.0.input_layernorm.weight";

  @TempDir Path dir;

  @Test
  void aDenseBf16FineTuneWhoseTailTheFloorHidesIsNotCalledLowRank() throws IOException {
    // a flat spectrum from 0.004 down to 0.0012 on all 128 directions: about 25 values above the
    // bf16 floor (rank <= 32 passed as low), an effective rank of about 121 of 128
    double[] s = new double[SIDE];
    for (int i = 0; i < SIDE; i++) {
      s[i] = 0.004 - 0.0028 * i / (SIDE - 1);
    }
    Diagnosis d = diagnose(s);
    TensorResult q = row("model.layers.0.self_attn.q_proj.weight");
    assertThat(q.numericalRank()).isBetween(10, SIDE / 4);
    assertThat(q.effectiveRank()).isGreaterThan(110.0);
    assertThat(d.kind()).isEqualTo("fine_tune");
    assertThat(d.findings()).noneMatch(f -> f.category().equals("lora"));
  }

  @Test
  void aRank8UpdateSavedInBf16IsStillCalledLowRank() throws IOException {
    Diagnosis d = diagnose(new double[] {0.8, 0.6, 0.45, 0.3, 0.2, 0.15, 0.1, 0.06});
    assertThat(d.findings())
        .anySatisfy(
            f -> {
              assertThat(f.category()).isEqualTo("lora");
              assertThat(f.title()).isEqualTo("Low-rank update (rank ≤ 8) on attn_q");
            });
  }

  private WeightDiffResult result; // the last pair diagnosed

  /** q_proj of two layers moved by planted spectra {@code s}, a norm moved too; saved in bf16. */
  private Diagnosis diagnose(double[] s) throws IOException {
    Map<String, double[]> base = new LinkedHashMap<>();
    Map<String, double[]> tuned = new LinkedHashMap<>();
    for (int layer = 0; layer < 2; layer++) {
      String name = "model.layers." + layer + ".self_attn.q_proj.weight";
      double[] w = Planted.toBf16(Planted.gaussian(SIDE * SIDE, 0.02, 100 + layer));
      base.put(name, w);
      tuned.put(name, Planted.toBf16(Planted.plus(w, Planted.matrix(SIDE, SIDE, s, 200 + layer))));
    }
    double[] norm = new double[SIDE];
    Arrays.fill(norm, 1.0);
    base.put(NORM, norm);
    tuned.put(NORM, Planted.toBf16(Planted.plus(norm, Planted.gaussian(SIDE, 0.01, 300))));
    result =
        LocalDiff.of(
            Checkpoint.open(write("base", base).toString()),
            Checkpoint.open(write("tuned", tuned).toString()));
    return Diagnosis.of(result);
  }

  private TensorResult row(String name) {
    return result.rows().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
  }

  private Path write(String side, Map<String, double[]> tensors) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(side));
    List<SafetensorsWriter.Entry> entries = new ArrayList<>();
    tensors.forEach(
        (name, values) ->
            entries.add(
                new SafetensorsWriter.Entry(
                    name,
                    DType.BF16,
                    values.length == SIDE ? Shape.of(SIDE) : Shape.of(SIDE, SIDE))));
    try (SafetensorsWriter w =
        SafetensorsWriter.create(folder.resolve("model.safetensors"), entries, Map.of())) {
      for (double[] values : tensors.values()) {
        ByteBuffer data = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
          data.putShort(HalfFloats.floatToBf16((float) v));
        }
        w.write(data.flip());
      }
    }
    return folder;
  }
}
