package io.deltascope.report.html;

/** Escaping for text and attribute values: every string from a document goes through here. */
final class Html {
  private Html() {}

  /**
   * Text safe inside an element or a double- or single-quoted attribute: {@code & < > " '} become
   * entities; control characters other than tab and newline become U+FFFD (they are invalid in
   * HTML); a lone surrogate too.
   */
  static String esc(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> {
          if (Character.isHighSurrogate(c)
              && i + 1 < text.length()
              && Character.isLowSurrogate(text.charAt(i + 1))) {
            out.append(c).append(text.charAt(++i));
          } else if (Character.isSurrogate(c)
              || (c < 0x20 && c != '\t' && c != '\n')
              || (c >= 0x7f && c < 0xa0)) {
            out.append('\uFFFD');
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.toString();
  }

  /** A token as people can see it: spaces as ␣, newlines as ↵, tabs as →; then escaped. */
  static String token(String token) {
    if (token == null) {
      return "";
    }
    String visible = token.replace(' ', '\u2423').replace("\n", "\u21b5").replace("\t", "\u2192");
    return esc(visible.isEmpty() ? "\u2205" : visible);
  }
}
