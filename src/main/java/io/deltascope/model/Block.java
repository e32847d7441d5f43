package io.deltascope.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * One decoder block with its weights loaded (widened to float32, in a scope of their own): pre-norm
 * attention and MLP on the residual stream, with the family's variations taken from the config.
 * Closing it frees the weights.
 */
final class Block implements AutoCloseable {
  private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

  private final DecoderConfig config;
  private final int layer;
  private final WeightScope scope;
  private final Norm normAttn;
  private final Norm normPostAttn;
  private final Norm normMlp;
  private final Norm normPostMlp;
  private final Norm qNorm;
  private final Norm kNorm;
  private final Linear q;
  private final Linear k;
  private final Linear v;
  private final Linear qkv;
  private final Linear o;
  private final Linear gate;
  private final Linear up;
  private final Linear down;

  Block(DecoderConfig config, int layer, WeightScope scope, Loader loader) {
    this.config = config;
    this.layer = layer;
    this.scope = scope;
    TensorNames n = config.names();
    this.normAttn = loader.norm(n.normAttn());
    this.normPostAttn = loader.norm(n.normPostAttn());
    this.normMlp = loader.norm(n.normMlp());
    this.normPostMlp = loader.norm(n.normPostMlp());
    this.qNorm = loader.norm(n.qNorm());
    this.kNorm = loader.norm(n.kNorm());
    this.q = loader.linear(n.q());
    this.k = loader.linear(n.k());
    this.v = loader.linear(n.v());
    this.qkv = loader.linear(n.qkv());
    this.o = loader.linear(n.o());
    this.gate = loader.linear(n.gate());
    this.up = loader.linear(n.up());
    this.down = loader.linear(n.down());
  }

  /** Loads a block's norms and projections by stem; a null stem gives null. */
  interface Loader {
    Norm norm(String stem);

    Linear linear(String stem);
  }

  /**
   * The residual after this block: x [T, hidden] to [T, hidden]. Temporaries live in a sub-manager
   * closed before returning; the result belongs to x's manager.
   */
  NDArray forward(NDArray x) {
    NDManager owner = x.getManager();
    try (NDManager tmp = owner.newSubManager()) {
      x.tempAttach(tmp);
      NDArray a = attention(normAttn.apply(x), tmp);
      if (normPostAttn != null) {
        a = normPostAttn.apply(a);
      }
      NDArray h = x.add(a);
      NDArray m = mlp(normMlp.apply(h));
      if (normPostMlp != null) {
        m = normPostMlp.apply(m);
      }
      NDArray out = h.add(m);
      out.attach(owner);
      return out;
    }
  }

  /** Query positions whose attention scores are computed at once. */
  static final int QUERY_CHUNK = 256;

  private NDArray attention(NDArray x, NDManager tmp) {
    long t = x.getShape().get(0);
    int heads = config.numHeads();
    int kvHeads = config.numKvHeads();
    int d = config.headDim();
    NDArray qs;
    NDArray ks;
    NDArray vs;
    if (qkv != null) { // GPT-2: one projection, split into equal thirds
      NDArray y = qkv.apply(x);
      long w = (long) heads * d;
      qs = y.get(new NDIndex(":, :{}", w));
      ks = y.get(new NDIndex(":, {}:{}", w, 2 * w));
      vs = y.get(new NDIndex(":, {}:", 2 * w));
    } else {
      qs = q.apply(x);
      ks = k.apply(x);
      vs = v.apply(x);
    }
    qs = qs.reshape(t, heads, d);
    ks = ks.reshape(t, kvHeads, d);
    vs = vs.reshape(t, kvHeads, d);
    if (qNorm != null) {
      qs = qNorm.apply(qs);
      ks = kNorm.apply(ks);
    }
    DecoderConfig.LayerSpec spec = config.layers().get(layer);
    if (spec.rope() != null) {
      float[][] cs = spec.rope().cosSin((int) t, d);
      NDArray cos = tmp.create(cs[0], new Shape(t, 1, d));
      NDArray sin = tmp.create(cs[1], new Shape(t, 1, d));
      qs = rotate(qs, cos, sin, d);
      ks = rotate(ks, cos, sin, d);
    }
    int group = config.groupSize();
    // [T, h, d] -> [kv, group * T, d]: query head h reads key/value head h / group
    NDArray qh = qs.transpose(1, 0, 2).reshape(kvHeads, (long) group * t, d);
    NDArray kh = ks.transpose(1, 2, 0); // [kv, d, T]
    NDArray vh = vs.transpose(1, 0, 2); // [kv, T, d]
    double scale = config.attnScale();
    if (config.scaleByInverseLayer()) {
      scale /= layer + 1;
    }
    // queries in chunks: scores are [kv, group, chunk, T], and each chunk's temporaries are freed
    // before the next, so memory grows with T, not T^2
    NDList parts = new NDList();
    NDArray byQuery = qh.reshape(kvHeads, group, t, d);
    for (long from = 0; from < t; from += QUERY_CHUNK) {
      long rows = Math.min(QUERY_CHUNK, t - from);
      try (NDManager chunk = tmp.newSubManager()) {
        NDArray qc = byQuery.get(sliceRows(from, rows));
        qc.attach(chunk); // what is computed from it belongs to the chunk
        NDArray scores = qc.reshape(kvHeads, (long) group * rows, d).matMul(kh).mul(scale);
        scores = scores.reshape(kvHeads, group, rows, t);
        float[] m = mask((int) from, (int) rows, (int) t, spec.slidingWindow());
        scores = scores.add(chunk.create(m, new Shape(rows, t)));
        NDArray probs = scores.softmax(-1).reshape(kvHeads, (long) group * rows, t);
        NDArray part =
            probs
                .matMul(vh)
                .reshape(heads, rows, d)
                .transpose(1, 0, 2)
                .reshape(rows, (long) heads * d);
        part.attach(tmp);
        parts.add(part);
      }
    }
    NDArray ctx = parts.size() == 1 ? parts.head() : NDArrays.concat(parts, 0);
    return o.apply(ctx);
  }

  private static NDIndex sliceRows(long from, long rows) {
    return new NDIndex(":, :, {}:{}, :", from, from + rows);
  }

  // transformers' rotate_half layout: x * cos + cat(-x2, x1) * sin
  private static NDArray rotate(NDArray x, NDArray cos, NDArray sin, int d) {
    int half = d / 2;
    NDArray x1 = x.get(new NDIndex("..., :{}", half));
    NDArray x2 = x.get(new NDIndex("..., {}:", half));
    NDArray rotated = NDArrays.concat(new NDList(x2.neg(), x1), -1);
    return x.mul(cos).add(rotated.mul(sin));
  }

  /**
   * Rows {@code from} to {@code from + rows} of the additive causal mask [rows, T]: 0 where query i
   * sees key j, -inf elsewhere.
   */
  static float[] mask(int from, int rows, int t, int window) {
    float[] m = new float[rows * t];
    for (int r = 0; r < rows; r++) {
      int i = from + r;
      for (int j = 0; j < t; j++) {
        boolean seen = j <= i && (window <= 0 || i - j < window);
        m[r * t + j] = seen ? 0f : Float.NEGATIVE_INFINITY;
      }
    }
    return m;
  }

  private NDArray mlp(NDArray x) {
    if (config.gatedMlp()) {
      return down.apply(activate(gate.apply(x)).mul(up.apply(x)));
    }
    return down.apply(activate(up.apply(x)));
  }

  private NDArray activate(NDArray x) {
    return switch (config.activation()) {
      case SILU -> x.mul(Activation.sigmoid(x));
      case GELU -> Activation.gelu(x);
      case GELU_TANH -> {
        NDArray inner = x.add(x.pow(3).mul(0.044715)).mul(SQRT_2_OVER_PI);
        yield x.mul(inner.tanh().add(1)).mul(0.5);
      }
    };
  }

  @Override
  public void close() {
    scope.close();
  }
}
