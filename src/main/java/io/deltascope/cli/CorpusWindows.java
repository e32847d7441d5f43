package io.deltascope.cli;

import io.deltascope.model.PromptPair;
import io.deltascope.model.PromptTokenizer;
import io.deltascope.model.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --text FILE --window N}: a corpus tokenized once and cut into consecutive windows of N
 * tokens, as perplexity tools do. Each window starts with the special tokens the tokenizer puts
 * before any text (a BOS, for most), so every window is a prompt the model could have seen; the
 * last window may be shorter.
 */
final class CorpusWindows {
  private CorpusWindows() {}

  static List<PromptPair> split(Path file, PromptTokenizer tokenizer, int window) {
    String text = read(file);
    Tokens prefix = tokenizer.encode("");
    Tokens body = tokenizer.encodeText(text);
    if (body.length() == 0) {
      throw new UserException(file + ": no text to score (the corpus is empty)");
    }
    int step = window - prefix.length();
    if (step < 1) {
      throw new UserException(
          String.format(
              "--window %d leaves no room for text after the tokenizer's %d special tokens %s",
              window, prefix.length(), prefix.tokens()));
    }
    long[] ids = body.ids();
    List<PromptPair> windows = new ArrayList<>();
    for (int from = 0; from < ids.length; from += step) {
      int to = Math.min(ids.length, from + step);
      Tokens w = concat(prefix, ids, body.tokens(), from, to);
      String label = String.format("%s tokens %d-%d", file.getFileName(), from, to - 1);
      windows.add(new PromptPair(windows.size(), label, w, w));
    }
    return windows;
  }

  private static Tokens concat(Tokens prefix, long[] ids, List<String> tokens, int from, int to) {
    long[] out = new long[prefix.length() + to - from];
    System.arraycopy(prefix.ids(), 0, out, 0, prefix.length());
    System.arraycopy(ids, from, out, prefix.length(), to - from);
    List<String> strings = new ArrayList<>(prefix.tokens());
    strings.addAll(tokens.subList(from, to));
    return new Tokens(out, strings);
  }

  private static String read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new UserException(file + ": no such text file (--text FILE reads a corpus)");
    }
    return TextFiles.utf8(file);
  }
}
