package io.deltascope.job;

import io.deltascope.results.TensorResult;
import java.io.Serializable;

/**
 * What an executor sends back for one comparison of a plan: its row, or the one-line error that
 * stopped it (then the plan, and only that plan, failed).
 *
 * @param plan index of the plan in the job
 * @param row the tensor's row; null when {@code error} is set
 * @param error what went wrong, or null
 */
public record PairRow(int plan, TensorResult row, String error) implements Serializable {}
