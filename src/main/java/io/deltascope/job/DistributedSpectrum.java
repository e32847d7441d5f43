package io.deltascope.job;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.TensorBlockReader;
import io.deltascope.diff.DeltaMatrix;
import io.deltascope.diff.SpectrumSettings;
import io.deltascope.diff.TensorPair;
import io.deltascope.tensor.GramAccumulator;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.mllib.linalg.Matrix;
import org.apache.spark.mllib.linalg.Vector;
import org.apache.spark.mllib.linalg.Vectors;
import org.apache.spark.mllib.linalg.distributed.RowMatrix;
import org.apache.spark.sql.SparkSession;

/**
 * The singular values of a delta too large for one task, with MLlib: the delta becomes a {@link
 * RowMatrix} oriented so that it has min(rows, cols) columns (a tall delta row by row; a wide one
 * column by column, each task reading a band of columns), {@link RowMatrix#computeGramianMatrix()}
 * sums its Gram over many tasks (treeAggregate), and LAPACK's {@code dsyevd} on the driver gives
 * every eigenvalue.
 *
 * <p>Why not {@code computeSVD}: with a small k it picks distributed ARPACK, many passes over the
 * data (over 10 s for 4096 x 1024 here) and only k values; with k = n it takes this same Gramian
 * and then a dense SVD of it through Breeze. The Gramian and a symmetric eigensolver give all
 * values in one pass.
 */
public final class DistributedSpectrum {
  /** spectrum_method of spectra computed here. */
  public static final String METHOD = "rowmatrix_gramian";

  /** Values per band a task reads from each side: 32 MB of doubles. */
  static final long BAND_ELEMENTS = 4L << 20;

  /** RowMatrix's Gramian limit. */
  static final long MAX_ORDER = 65535;

  private DistributedSpectrum() {}

  /** Whether this path can take {@code pair}: RowMatrix's limit, and sides readable by bands. */
  public static boolean fits(TensorPair pair) {
    return DeltaMatrix.of(pair).order() <= MAX_ORDER && SpectrumSettings.readableByBands(pair);
  }

  /**
   * Every singular value of {@code pair}'s delta, descending.
   *
   * @param hadoop the driver's file system settings for remote files, or null
   */
  public static double[] singularValues(
      SparkSession spark, TensorPair pair, HadoopSettings hadoop) {
    DeltaMatrix m = DeltaMatrix.of(pair);
    long vectors = m.tall() ? m.rows() : m.cols(); // the RowMatrix's rows
    int order = (int) m.order(); // and its columns
    long perBand = Math.max(1, BAND_ELEMENTS / order);
    List<Band> bands = new ArrayList<>();
    for (long from = 0; from < vectors; from += perBand) {
      bands.add(new Band(from, Math.min(vectors, from + perBand)));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Vector> rows =
        jsc.parallelize(bands, bands.size()).flatMap(new DeltaVectors(pair, hadoop));
    Matrix gram = new RowMatrix(rows.rdd(), vectors, order).computeGramianMatrix();
    return GramAccumulator.singularValuesOfGram(gram.toArray(), order);
  }

  /** Rows [from, to) of the oriented matrix: rows of a tall delta, columns of a wide one. */
  record Band(long from, long to) implements Serializable {}

  /** Reads one band of both sides and emits the delta's vectors. */
  static final class DeltaVectors implements FlatMapFunction<Band, Vector> {
    private static final long serialVersionUID = 1L;

    private final TensorPair pair;
    private final HadoopSettings hadoop;

    DeltaVectors(TensorPair pair, HadoopSettings hadoop) {
      this.pair = pair;
      this.hadoop = hadoop;
    }

    @Override
    public Iterator<Vector> call(Band band) {
      if (hadoop != null) {
        hadoop.apply();
      }
      DeltaMatrix m = DeltaMatrix.of(pair);
      boolean tall = m.tall();
      long r0 = tall ? band.from() : 0;
      long r1 = tall ? band.to() : m.rows();
      long c0 = tall ? 0 : band.from();
      long c1 = tall ? m.cols() : band.to();
      int height = (int) (r1 - r0);
      int width = (int) (c1 - c0);
      double[] a = new double[height * width];
      double[] b = new double[height * width];
      read(pair.base(), m, r0, r1, c0, c1, a);
      read(pair.finetuned(), m, r0, r1, c0, c1, b);
      List<Vector> out = new ArrayList<>();
      if (tall) {
        for (int i = 0; i < height; i++) {
          double[] v = new double[width];
          for (int j = 0; j < width; j++) {
            v[j] = b[i * width + j] - a[i * width + j];
          }
          out.add(Vectors.dense(v));
        }
      } else {
        for (int j = 0; j < width; j++) {
          double[] v = new double[height];
          for (int i = 0; i < height; i++) {
            v[i] = b[i * width + j] - a[i * width + j];
          }
          out.add(Vectors.dense(v));
        }
      }
      return out.iterator();
    }

    private static void read(
        io.deltascope.checkpoint.TensorInfo tensor,
        DeltaMatrix m,
        long r0,
        long r1,
        long c0,
        long c1,
        double[] dst) {
      try (ByteSource source = Locations.open(tensor.file())) {
        TensorBlockReader.read(source, tensor, m.cols(), r0, r1, c0, c1, dst);
      } catch (IOException e) {
        throw new UncheckedIOException(tensor.file() + ": cannot close", e);
      }
    }
  }
}
