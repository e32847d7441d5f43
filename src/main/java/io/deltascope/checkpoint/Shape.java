package io.deltascope.checkpoint;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** A tensor's dimensions, outermost first (the PyTorch / HuggingFace order). */
public final class Shape implements Serializable {
  private static final long serialVersionUID = 1L;

  private final long[] dims;

  private Shape(long[] dims) {
    this.dims = dims;
  }

  public static Shape of(long... dims) {
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in " + Arrays.toString(dims));
      }
    }
    return new Shape(dims.clone());
  }

  public int rank() {
    return dims.length;
  }

  public long dim(int i) {
    return dims[i];
  }

  public long[] dims() {
    return dims.clone();
  }

  public List<Long> asList() {
    return Arrays.stream(dims).boxed().collect(Collectors.toList());
  }

  /** Number of elements; a scalar (rank 0) has one. Throws when it overflows a long. */
  public long elementCount() {
    long n = 1;
    for (long d : dims) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Elements in one slice along the first dimension (a "row"); 1 for rank 0 and 1. */
  public long rowElements() {
    long n = 1;
    for (int i = 1; i < dims.length; i++) {
      n = Math.multiplyExact(n, dims[i]);
    }
    return n;
  }

  /** Whether the two shapes differ only in their first dimension (a vocabulary resize). */
  public boolean differsOnlyInFirstDim(Shape other) {
    if (dims.length == 0 || dims.length != other.dims.length || dims[0] == other.dims[0]) {
      return false;
    }
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] != other.dims[i]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Shape s && Arrays.equals(dims, s.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** "[1024, 128]". */
  @Override
  public String toString() {
    return Arrays.toString(dims);
  }
}
