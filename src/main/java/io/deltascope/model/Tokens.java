package io.deltascope.model;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * A prompt as a model sees it.
 *
 * @param ids token ids, special tokens included
 * @param tokens the tokenizer's token strings ("Ġan")
 */
public record Tokens(long[] ids, List<String> tokens) implements Serializable {
  public Tokens {
    ids = ids.clone();
    tokens = List.copyOf(tokens);
  }

  public int length() {
    return ids.length;
  }

  @Override
  public long[] ids() {
    return ids.clone();
  }

  public boolean sameIds(Tokens other) {
    return Arrays.equals(ids, other.ids);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Tokens t && Arrays.equals(ids, t.ids) && tokens.equals(t.tokens);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(ids) + tokens.hashCode();
  }

  @Override
  public String toString() {
    return "Tokens" + Arrays.toString(ids);
  }
}
