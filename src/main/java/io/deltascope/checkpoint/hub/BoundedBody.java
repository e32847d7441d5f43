package io.deltascope.checkpoint.hub;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * An answer's body kept within bounds, whatever the server sends: only the bytes at positions
 * {@code from} to {@code to} (inclusive) of the body are kept, and the body is not read past {@code
 * to} (the subscription is cancelled), so a server that sends a whole file for a range, or endless
 * bytes, costs the range's memory and no more. A caller that needs to see a body longer than
 * expected keeps one byte more than it expects.
 */
final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
  /** The most kept of an answer that is not a file's bytes: an error's text, a JSON listing. */
  static final long ANSWER_LIMIT = 64L << 20;

  private final long from;
  private final long to;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final CompletableFuture<byte[]> body = new CompletableFuture<>();
  private Flow.Subscription subscription;
  private long seen;

  private BoundedBody(long from, long to) {
    this.from = from;
    this.to = to;
  }

  /** The first {@code limit + 1} bytes at most: one past the limit shows that the body is over. */
  static HttpResponse.BodyHandler<byte[]> upTo(long limit) {
    return info -> new BoundedBody(0, limit);
  }

  /**
   * For a ranged read of {@code asked}: a 206 kept to the range's length and one byte more (a long
   * body shows), a 200 (a server that ignored the range) cut to the range's bytes of the whole
   * file, any other answer to {@link #ANSWER_LIMIT}.
   */
  static HttpResponse.BodyHandler<byte[]> forRange(ByteRange asked) {
    return info ->
        switch (info.statusCode()) {
          case 206 -> new BoundedBody(0, asked.length());
          case 200 -> new BoundedBody(asked.first(), asked.last());
          default -> new BoundedBody(0, ANSWER_LIMIT);
        };
  }

  @Override
  public CompletionStage<byte[]> getBody() {
    return body;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    subscription = s;
    s.request(1);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (body.isDone()) {
      return;
    }
    for (ByteBuffer b : buffers) {
      keep(b);
    }
    if (seen > to) {
      subscription.cancel();
      body.complete(kept.toByteArray());
    } else {
      subscription.request(1);
    }
  }

  // the part of b (body positions seen .. seen + remaining - 1) that lies within [from, to]
  private void keep(ByteBuffer b) {
    long start = seen;
    seen += b.remaining();
    long first = Math.max(start, from);
    long last = Math.min(seen - 1, to);
    if (first <= last) {
      byte[] part = new byte[Math.toIntExact(last - first + 1)];
      b.position(b.position() + Math.toIntExact(first - start)).get(part);
      kept.writeBytes(part);
    }
  }

  @Override
  public void onError(Throwable t) {
    body.completeExceptionally(t);
  }

  @Override
  public void onComplete() {
    body.complete(kept.toByteArray());
  }
}
