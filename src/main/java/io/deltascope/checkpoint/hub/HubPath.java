package io.deltascope.checkpoint.hub;

import java.net.URI;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A location on the Hub: {@code hf://ORG/NAME[@REV][/path/in/repo]}.
 *
 * @param repo "ORG/NAME"
 * @param revision a branch, tag or commit ("main" when not given)
 * @param path the file or folder in the repo, without leading slash ("" for the root)
 */
public record HubPath(String repo, String revision, String path) {
  public static final String SCHEME = "hf";
  private static final Pattern FORM =
      Pattern.compile(
          "hf://([A-Za-z0-9][A-Za-z0-9._-]*)/([A-Za-z0-9][A-Za-z0-9._-]*)(?:@([A-Za-z0-9._-]+))?(?:/(.*))?");

  public static boolean isHub(String location) {
    return location.startsWith(SCHEME + "://");
  }

  /**
   * Parses {@code location}; null when it is not of the form (a path that is not {@link
   * #isInsideRepo} is not).
   */
  public static HubPath parse(String location) {
    Matcher m = FORM.matcher(location);
    if (!m.matches()) {
      return null;
    }
    String path = m.group(4) == null ? "" : m.group(4).replaceAll("/+$", "");
    if (!path.isEmpty() && !isInsideRepo(path)) {
      return null;
    }
    return new HubPath(
        m.group(1) + "/" + m.group(2), m.group(3) == null ? "main" : m.group(3), path);
  }

  /**
   * Whether {@code path} names a place inside a repo, and so inside its snapshot folder: relative
   * and normalised ('/' between segments, none of them empty, "." or ".."), without backslashes or
   * control characters (NUL).
   */
  static boolean isInsideRepo(String path) {
    if (path.isEmpty() || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
      return false;
    }
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return false;
      }
    }
    return true;
  }

  /** {@code path} as a message shows it: control characters escaped, so it stays one line. */
  static String printable(String path) {
    StringBuilder shown = new StringBuilder();
    path.codePoints()
        .forEach(
            c -> {
              if (c < 0x20 || c == 0x7f) {
                shown.append(String.format("\\u%04x", c));
              } else {
                shown.appendCodePoint(c);
              }
            });
    return shown.toString();
  }

  static HubPath of(URI uri) {
    return parse(uri.toString());
  }

  /** The same place at {@code commit}. */
  public HubPath at(String commit) {
    return new HubPath(repo, commit, path);
  }

  @Override
  public String toString() {
    return SCHEME + "://" + repo + "@" + revision + (path.isEmpty() ? "" : "/" + path);
  }
}
