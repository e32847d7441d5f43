package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.TensorInfo;

/**
 * A decoder-only language model read from a checkpoint, run one block at a time: {@link #embed}
 * gives layer 0, {@link #block} loads block l's weights (and {@link Block#close} frees them), and
 * {@link #logits} applies the final norm and the output head to a residual. Only the final norm and
 * the output head stay loaded, and only once the logit lens asks for them.
 */
public final class DecoderModel implements AutoCloseable {
  private final String location;
  private final Checkpoint checkpoint;
  private final DecoderConfig config;
  private final String prefix;
  private final WeightReader reader = new WeightReader();
  private final NDManager root;
  private WeightScope resident;
  private Norm finalNorm;
  private NDArray head; // [hidden, vocab]

  private DecoderModel(String location, Checkpoint checkpoint, DecoderConfig config) {
    this.location = location;
    this.checkpoint = checkpoint;
    this.config = config;
    this.prefix = config.names().modelPrefix(checkpoint);
    this.root = Djl.newManager();
  }

  /** Opens a checkpoint's headers and config; no weights are read yet. */
  public static DecoderModel open(String location) {
    Checkpoint checkpoint = Checkpoint.open(location);
    DecoderConfig config = DecoderConfig.of(checkpoint.config(), location);
    return new DecoderModel(location, checkpoint, config);
  }

  public DecoderConfig config() {
    return config;
  }

  public String location() {
    return location;
  }

  /**
   * Bytes of the largest block's weights once widened to float32: what streaming holds per model at
   * a time, from the headers alone.
   */
  public static long blockBytes(String location) {
    Checkpoint checkpoint = Checkpoint.open(location);
    DecoderConfig config = DecoderConfig.of(checkpoint.config(), location);
    String prefix = config.names().modelPrefix(checkpoint);
    long largest = 0;
    for (int l = 0; l < config.numLayers(); l++) {
      String block = config.names().blockPrefix(prefix, l);
      long bytes = 0;
      for (TensorInfo t : checkpoint.tensors().values()) {
        if (t.name().startsWith(block)) {
          bytes += 4 * t.elementCount();
        }
      }
      largest = Math.max(largest, bytes);
    }
    return largest;
  }

  /** Rows of the output head: the real vocabulary, which may differ from the config's. */
  public long vocabSize() {
    return headTensor().shape().dim(0);
  }

  /** Frees the idle buffers that blocks were widened into: call when a batch is done. */
  public void releaseBuffers() {
    reader.pool().clear();
  }

  /** A manager for one batch's activations; close it when the batch is done. */
  public NDManager newBatchManager() {
    return root.newSubManager();
  }

  /** Layer 0 of the residual stream: [T, hidden], scaled and positioned as the model does. */
  public NDArray embed(NDManager manager, long[] ids) {
    int t = ids.length;
    int hidden = config.hidden();
    float[] rows = reader.rows(tensor(prefix + config.names().embed() + ".weight"), ids);
    if (config.embedScale() != 1f) {
      // transformers multiplies by sqrt(hidden) rounded to the weights' dtype (float32 here)
      float scale = config.embedScale();
      for (int i = 0; i < rows.length; i++) {
        rows[i] *= scale;
      }
    }
    if (config.learnedPositions()) {
      long[] positions = new long[t];
      for (int i = 0; i < t; i++) {
        positions[i] = i;
      }
      float[] pos = reader.rows(tensor(prefix + config.names().posEmbed() + ".weight"), positions);
      for (int i = 0; i < rows.length; i++) {
        rows[i] += pos[i];
      }
    }
    return manager.create(rows, new Shape(t, hidden));
  }

  /** Block {@code layer} (0-based) with its weights loaded; close it to free them. */
  public Block block(int layer) {
    if (layer < 0 || layer >= config.numLayers()) {
      throw new IllegalArgumentException(
          "layer " + layer + " outside [0, " + config.numLayers() + ")");
    }
    WeightScope scope = new WeightScope(root, reader.pool());
    try {
      String blockPrefix = config.names().blockPrefix(prefix, layer);
      return new Block(config, layer, scope, new ScopedLoader(scope, blockPrefix));
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
  }

  /**
   * The model's logits for residual rows h [n, hidden]: lm_head(final_norm(h)), softcapped where
   * the config says, as [n, vocab]. The result belongs to h's manager.
   */
  public NDArray logits(NDArray h) {
    loadHead();
    NDArray logits = finalNorm.apply(h).matMul(head);
    Double cap = config.finalSoftcap();
    if (cap != null) {
      logits = logits.div(cap).tanh().mul(cap);
    }
    return logits;
  }

  /** The logit lens of one residual row h [hidden]: softmax over the vocabulary. */
  public float[] lens(NDArray h) {
    NDManager owner = h.getManager();
    try (NDManager tmp = owner.newSubManager()) {
      h.tempAttach(tmp);
      return logits(h.reshape(1, config.hidden())).softmax(-1).toFloatArray();
    }
  }

  /**
   * The logits of residual rows [from, to) of h [T, hidden] as a flat [to - from, vocab] float32
   * array; nothing stays allocated on h's manager.
   */
  public float[] logitRows(NDArray h, int from, int to) {
    try (NDManager tmp = h.getManager().newSubManager()) {
      NDArray rows = h.get(new NDIndex(from + ":" + to));
      rows.attach(tmp);
      return logits(rows).toFloatArray();
    }
  }

  private synchronized void loadHead() {
    if (head != null) {
      return;
    }
    resident = new WeightScope(root, reader.pool());
    ScopedLoader loader = new ScopedLoader(resident, prefix);
    finalNorm = loader.norm(config.names().finalNorm());
    head = reader.load(headTensor(), resident).transpose(); // [hidden, vocab]
  }

  private TensorInfo headTensor() {
    TensorInfo untied = checkpoint.tensor(TensorNames.LM_HEAD + ".weight");
    if (untied != null && !config.tied()) {
      return untied;
    }
    return tensor(prefix + config.names().embed() + ".weight");
  }

  private TensorInfo tensor(String name) {
    TensorInfo t = checkpoint.tensor(name);
    if (t == null) {
      throw CheckpointException.of(
          location, "no tensor '%s', which a %s model needs", name, config.family());
    }
    return t;
  }

  @Override
  public void close() {
    if (resident != null) {
      resident.close();
    }
    root.close();
    reader.close();
  }

  /** Loads a block's (or the model's top-level) weights by stem into one scope. */
  private final class ScopedLoader implements Block.Loader {
    private final WeightScope scope;
    private final String stemPrefix;

    ScopedLoader(WeightScope scope, String stemPrefix) {
      this.scope = scope;
      this.stemPrefix = stemPrefix;
    }

    @Override
    public Norm norm(String stem) {
      if (stem == null) {
        return null;
      }
      NDArray w = load(stem + ".weight", true);
      if (config.normOffset() != 0f) {
        w = w.add(config.normOffset());
      }
      NDArray b =
          config.norm() == DecoderConfig.NormKind.LAYER ? load(stem + ".bias", false) : null;
      return new Norm(w, b, config.norm() == DecoderConfig.NormKind.LAYER, config.normEps());
    }

    @Override
    public Linear linear(String stem) {
      if (stem == null) {
        return null;
      }
      NDArray w = load(stem + ".weight", true);
      NDArray b = load(stem + ".bias", false);
      return new Linear(config.conv1d() ? w : w.transpose(), b);
    }

    private NDArray load(String name, boolean required) {
      TensorInfo t = checkpoint.tensor(stemPrefix + name);
      if (t == null) {
        if (required) {
          throw CheckpointException.of(
              location,
              "no tensor '%s', which a %s model needs",
              stemPrefix + name,
              config.family());
        }
        return null;
      }
      return reader.load(t, scope);
    }
  }
}
