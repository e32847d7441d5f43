package io.deltascope.checkpoint.hub;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bytes {@code first} to {@code last} (inclusive) of a file of {@code total} bytes, as a {@code
 * Content-Range} header says them: {@code bytes FIRST-LAST/TOTAL}.
 */
record ByteRange(long first, long last, long total) {
  private static final Pattern CONTENT_RANGE =
      Pattern.compile("bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})");

  /** {@code length} bytes from {@code offset} of a file of {@code total} bytes. */
  static ByteRange of(long offset, int length, long total) {
    return new ByteRange(offset, offset + length - 1, total);
  }

  /** The range a {@code Content-Range} header names; null when it names none (or {@code *}). */
  static ByteRange parse(String contentRange) {
    Matcher m = CONTENT_RANGE.matcher(contentRange.strip());
    if (!m.matches()) {
      return null;
    }
    return new ByteRange(
        Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)));
  }

  long length() {
    return last - first + 1;
  }

  @Override
  public String toString() {
    return "bytes " + first + "-" + last + "/" + total;
  }
}
