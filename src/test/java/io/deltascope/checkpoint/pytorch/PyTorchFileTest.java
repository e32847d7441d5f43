package io.deltascope.checkpoint.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.deltascope.Fixtures;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.TensorReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pytorch_model.bin files written by real PyTorch (fixtures/pytorch/make_pytorch_bins.py). */
class PyTorchFileTest {
  static final Path BINS = Fixtures.root().resolve("pytorch");

  @TempDir Path dir;

  @Test
  void aSingleBinHoldsTheSameTensorsAndValuesAsTheSafetensorsItWasSavedFrom() {
    assertSameAs("llama-sft-bin", "llama-sft", 1);
  }

  @Test
  void aShardedBinIsReadThroughItsIndex() {
    assertSameAs("qwen2-sft-bin", "qwen2-sft", 3);
  }

  @Test
  void readsEveryDtypeAndViewsAtAStorageOffset() {
    Checkpoint c = Checkpoint.open(BINS.resolve("dtypes.bin").toString());
    assertThat(c.tensor("t.float64").dtype()).isEqualTo(DType.F64);
    assertThat(c.tensor("t.float32").dtype()).isEqualTo(DType.F32);
    assertThat(c.tensor("t.float16").dtype()).isEqualTo(DType.F16);
    assertThat(c.tensor("t.bfloat16").dtype()).isEqualTo(DType.BF16);
    assertThat(c.tensor("t.int64").dtype()).isEqualTo(DType.I64);
    assertThat(c.tensor("t.int32").dtype()).isEqualTo(DType.I32);
    assertThat(c.tensor("t.int16").dtype()).isEqualTo(DType.I16);
    assertThat(c.tensor("t.int8").dtype()).isEqualTo(DType.I8);
    assertThat(c.tensor("t.uint8").dtype()).isEqualTo(DType.U8);
    assertThat(c.tensor("t.bool").dtype()).isEqualTo(DType.BOOL);
    assertThat(c.tensor("t.int16").shape().toString())
        .isEqualTo(c.tensor("t.float64").shape().toString());
    double[] ramp = new double[24];
    Arrays.setAll(ramp, i -> i - 12);
    for (String name : new String[] {"t.float64", "t.float32", "t.float16", "t.bfloat16"}) {
      assertThat(TensorReader.values(c.tensor(name))).as(name).containsExactly(ramp);
    }
    // base[10:16] of a storage shared with view.whole
    assertThat(TensorReader.values(c.tensor("view.at.offset")))
        .containsExactly(10, 11, 12, 13, 14, 15);
    assertThat(TensorReader.values(c.tensor("view.whole"))).hasSize(24);
    assertThat(c.ties()).as("views of one storage at other offsets are no ties").isEmpty();
  }

  @Test
  void aHeadPickledAsASecondNameOfTheEmbeddingsStorageIsATieNotATensor() throws IOException {
    Path source = Fixtures.model("qwen2-sft");
    Checkpoint reference = Checkpoint.open(source.toString());
    Path folder =
        TorchSaveWriter.writeFolder(
            reference, source, Map.of("lm_head.weight", "model.embed_tokens.weight"), dir);
    Checkpoint bin = Checkpoint.open(folder.toString());
    assertThat(bin.ties()).containsExactly(entry("lm_head.weight", "model.embed_tokens.weight"));
    assertThat(bin.names()).isEqualTo(reference.names());
    TensorInfo embedding = bin.tensor("model.embed_tokens.weight");
    assertThat(TensorReader.values(embedding))
        .containsExactly(TensorReader.values(reference.tensor("model.embed_tokens.weight")));
  }

  @Test
  void aTransposedTensorIsRefusedWithOneLine() {
    Path file = BINS.resolve("transposed.bin");
    assertThatThrownBy(() -> Checkpoint.open(file.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessage(
            file
                + ": tensor 't': strides [1, 3] are not row-major for shape [3, 2] (a transposed"
                + " or strided view): save tensor.contiguous()");
  }

  @Test
  void theLegacyFormatSaysToReSave() {
    Path file = BINS.resolve("legacy.bin");
    assertThatThrownBy(() -> Checkpoint.open(file.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file + ": PyTorch's legacy format (torch < 1.6)")
        .hasMessageContaining("re-save it with torch.save");
  }

  @Test
  void aPickleThatCallsOsSystemIsRefusedNamingTheGlobal() {
    Path file = BINS.resolve("malicious.bin");
    assertThatThrownBy(() -> Checkpoint.open(file.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(file + ": data.pkl asks for the global 'posix.system'")
        .hasMessageContaining("refused")
        .hasMessageNotContaining("\n");
  }

  @Test
  void everyTruncationOfAPickleFailsAsACheckpointError() throws IOException {
    byte[] pickle;
    try (ZipFile zip = new ZipFile(BINS.resolve("dtypes.bin").toFile())) {
      pickle = zip.getInputStream(zip.getEntry("dtypes/data.pkl")).readAllBytes();
    }
    for (int n = 0; n < pickle.length - 1; n++) {
      byte[] cut = Arrays.copyOf(pickle, n);
      assertThatThrownBy(() -> TorchPickle.read("x.bin", cut))
          .as("first %d bytes", n)
          .isInstanceOf(CheckpointException.class)
          .hasMessageStartingWith("x.bin: ");
    }
    assertThat(TorchPickle.read("x.bin", pickle)).hasSize(12);
  }

  @Test
  void randomlyDamagedPicklesFailOnlyAsCheckpointErrors() throws IOException {
    byte[] pickle;
    try (ZipFile zip = new ZipFile(BINS.resolve("dtypes.bin").toFile())) {
      pickle = zip.getInputStream(zip.getEntry("dtypes/data.pkl")).readAllBytes();
    }
    java.util.Random random = new java.util.Random(14);
    for (int trial = 0; trial < 3000; trial++) {
      byte[] damaged = pickle.clone();
      for (int k = 0; k <= trial % 3; k++) {
        damaged[random.nextInt(damaged.length)] = (byte) random.nextInt(256);
      }
      try {
        TorchPickle.read("x.bin", damaged);
      } catch (CheckpointException e) {
        assertThat(e.getMessage()).startsWith("x.bin: ").doesNotContain("\n");
      }
    }
  }

  @Test
  void randomlyDamagedZipsFailOnlyAsCheckpointErrors() throws IOException {
    byte[] bytes = Files.readAllBytes(BINS.resolve("dtypes.bin"));
    java.util.Random random = new java.util.Random(6);
    Path damaged = dir.resolve("damaged.bin");
    for (int trial = 0; trial < 400; trial++) {
      byte[] copy = bytes.clone();
      // the directory and headers live in the first KB (data.pkl) and the last few hundred bytes
      int at = random.nextBoolean() ? random.nextInt(64) : copy.length - 1 - random.nextInt(600);
      copy[at] = (byte) random.nextInt(256);
      Files.write(damaged, copy);
      try {
        Checkpoint.open(damaged.toString());
      } catch (CheckpointException e) {
        assertThat(e.getMessage()).startsWith(damaged + ": ").doesNotContain("\n");
      }
    }
  }

  @Test
  void aTruncatedZipFailsWithOneLine() throws IOException {
    byte[] bytes = Files.readAllBytes(BINS.resolve("dtypes.bin"));
    Path cut = dir.resolve("cut.bin");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length - 30));
    assertThatThrownBy(() -> Checkpoint.open(cut.toString()))
        .isInstanceOf(CheckpointException.class)
        .hasMessageStartingWith(cut + ": ");
  }

  private static void assertSameAs(String bin, String safetensors, int files) {
    Checkpoint fromBin = Checkpoint.open(BINS.resolve(bin).toString());
    Checkpoint reference = Checkpoint.open(Fixtures.model(safetensors).toString());
    assertThat(fromBin.files()).hasSize(files).allMatch(f -> f.endsWith(".bin"));
    assertThat(fromBin.names()).isEqualTo(reference.names());
    assertThat(fromBin.config()).isEqualTo(reference.config());
    for (String name : reference.names()) {
      TensorInfo t = fromBin.tensor(name);
      assertThat(t.dtype()).as(name).isEqualTo(reference.tensor(name).dtype());
      assertThat(t.shape()).as(name).isEqualTo(reference.tensor(name).shape());
      assertThat(TensorReader.values(t))
          .as(name)
          .containsExactly(TensorReader.values(reference.tensor(name)));
    }
  }
}
