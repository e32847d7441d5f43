package io.deltascope.model;

import ai.djl.ndarray.NDArray;

/**
 * y = x W^T + b, with W kept as the transposed view [in, out] so that the activation is always the
 * left operand (and so owns the result's memory scope).
 *
 * @param weightInOut [in, out]
 * @param bias [out], or null
 */
record Linear(NDArray weightInOut, NDArray bias) {
  NDArray apply(NDArray x) {
    NDArray y = x.matMul(weightInOut); // [T, out]
    return bias == null ? y : y.add(bias);
  }

  long outFeatures() {
    return weightInOut.getShape().get(1);
  }
}
