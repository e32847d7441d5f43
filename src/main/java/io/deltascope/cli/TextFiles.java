package io.deltascope.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Text files the user names (a corpus, a list of prompts): UTF-8, or one line saying where not. */
final class TextFiles {
  private TextFiles() {}

  /** The file's text; a byte that is not UTF-8 is one line naming the file and its offset. */
  static String utf8(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new UserException(file + ": cannot read: " + e.getMessage());
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never has more chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (result.isError()) {
      throw new UserException(
          String.format("%s: not valid UTF-8 text (at byte %d)", file, in.position()));
    }
    decoder.flush(out);
    return out.flip().toString();
  }
}
