package io.deltascope.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks {@code --master} before Spark starts: a malformed URL is a usage error, and a standalone
 * master nobody answers at fails in seconds, naming it, instead of after Spark's minute of
 * registration retries with a stopped SparkContext's message.
 */
final class MasterUrl {
  private static final Pattern LOCAL =
      Pattern.compile("local(\\[(\\*|\\d+)(,\\s*\\d+)?])?|local-cluster\\[\\d+,\\s*\\d+,\\s*\\d+]");
  private static final Pattern STANDALONE = Pattern.compile("spark://(.+)");
  private static final Pattern HOST_PORT = Pattern.compile("\\[?([^\\]]+?)]?:(\\d{1,5})");
  private static final int CONNECT_MILLIS = 5_000;

  private MasterUrl() {}

  static void check(String master) {
    if (LOCAL.matcher(master).matches() || master.equals("yarn") || master.startsWith("k8s://")) {
      return;
    }
    Matcher standalone = STANDALONE.matcher(master);
    if (!standalone.matches()) {
      throw new UsageException(
          "--master '"
              + master
              + "' is not a Spark master URL (local[*], local[N], spark://HOST:PORT, yarn,"
              + " k8s://...)");
    }
    List<InetSocketAddress> masters = new ArrayList<>();
    for (String hostPort : standalone.group(1).split(",")) {
      Matcher m = HOST_PORT.matcher(hostPort.strip());
      int port = m.matches() ? Integer.parseInt(m.group(2)) : -1;
      if (port < 1 || port > 65_535) {
        throw new UsageException(
            "--master '"
                + master
                + "': '"
                + hostPort
                + "' is not HOST:PORT (e.g. spark://host:7077)");
      }
      masters.add(InetSocketAddress.createUnresolved(m.group(1), port));
    }
    String problem = null;
    for (InetSocketAddress address : masters) {
      problem = reach(address);
      if (problem == null) {
        return; // one live master of a high-availability list is enough
      }
    }
    throw new UserException("--master " + master + ": no Spark master answers: " + problem);
  }

  /** Null when something listens at {@code address}, else why not. */
  private static String reach(InetSocketAddress address) {
    String where = address.getHostString() + ":" + address.getPort();
    InetSocketAddress resolved = new InetSocketAddress(address.getHostString(), address.getPort());
    if (resolved.isUnresolved()) {
      return where + ": unknown host";
    }
    try (Socket socket = new Socket()) {
      socket.connect(resolved, CONNECT_MILLIS);
      return null;
    } catch (java.net.SocketTimeoutException e) {
      return where + ": no answer in " + CONNECT_MILLIS / 1000 + " s";
    } catch (IOException e) {
      return where + ": " + e.getMessage();
    }
  }
}
