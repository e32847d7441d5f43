package io.deltascope.cli;

import io.deltascope.diff.SpectrumSettings;
import java.util.Locale;
import picocli.CommandLine.Option;

/** Options of the spectra weight-diff computes for every 2-D delta. */
final class SpectraOptions {
  @Option(
      names = {"--no-spectra", "--fast"},
      description =
          "Skip the spectra: the fast scan with the per-tensor metrics only (for scheduled runs"
              + " over many pairs).")
  boolean noSpectra;

  @Option(
      names = "--top-k",
      defaultValue = "20",
      paramLabel = "K",
      description =
          "Singular values to report per tensor, and the k of top_k_energy_share"
              + " (default: ${DEFAULT-VALUE}). Every other metric uses the full spectrum.")
  int topK;

  @Option(
      names = "--distributed-svd-above",
      defaultValue = "64M",
      paramLabel = "SIZE",
      description =
          "Deltas with more elements than SIZE (K, M, G: powers of 1024) get their spectrum from"
              + " MLlib's distributed RowMatrix Gramian instead of one task (default:"
              + " ${DEFAULT-VALUE}).")
  String distributedAbove;

  SpectrumSettings settings() {
    if (topK < 1) {
      throw new UsageException("--top-k must be 1 or more, not " + topK);
    }
    return new SpectrumSettings(!noSpectra, topK, parseSize(distributedAbove));
  }

  /** "64M" to 67108864; plain digits as they are. */
  static long parseSize(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    int shift = 0;
    if (!t.isEmpty()) {
      switch (t.charAt(t.length() - 1)) {
        case 'K' -> shift = 10;
        case 'M' -> shift = 20;
        case 'G' -> shift = 30;
        default -> shift = 0;
      }
    }
    String digits = shift == 0 ? t : t.substring(0, t.length() - 1);
    try {
      long n = Long.parseLong(digits);
      if (n < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(n, 1L << shift);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new UsageException(
          "--distributed-svd-above: '"
              + text
              + "' is not a size (expected e.g. 64M, 500K, 1000000)");
    }
  }

  String optionsJson(com.fasterxml.jackson.databind.node.ObjectNode node) {
    node.put("spectra", !noSpectra);
    node.put("top_k", topK);
    node.put("distributed_svd_above", parseSize(distributedAbove));
    return node.toString();
  }
}
