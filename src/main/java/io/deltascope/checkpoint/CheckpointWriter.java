package io.deltascope.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deltascope.checkpoint.SafetensorsWriter.Entry;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a HuggingFace checkpoint folder the way {@code save_pretrained} lays it out: {@code
 * config.json}, and either one {@code model.safetensors} or shards {@code
 * model-00001-of-0000N.safetensors} with {@code model.safetensors.index.json} ({@code
 * metadata.total_size}, {@code weight_map}). Tensor data streams through {@link #write} in
 * declaration order and runs on from one shard into the next.
 */
public final class CheckpointWriter implements Closeable {
  /** What PyTorch's safetensors writer puts in {@code __metadata__}. */
  public static final Map<String, String> METADATA = Map.of("format", "pt");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path folder;
  private final List<List<Entry>> shards;
  private int shard = -1;
  private SafetensorsWriter writer;

  private CheckpointWriter(Path folder, List<List<Entry>> shards) {
    this.folder = folder;
    this.shards = shards;
  }

  /**
   * Creates {@code folder} (if needed) with its config and index, ready for the data of {@code
   * entries} in order.
   *
   * @param maxShardBytes a shard takes tensors until the next would take it past this (a larger
   *     tensor gets a shard of its own), as transformers' {@code max_shard_size}
   * @param configJson the whole {@code config.json}
   */
  public static CheckpointWriter create(
      Path folder, List<Entry> entries, long maxShardBytes, String configJson) throws IOException {
    List<List<Entry>> shards = shard(entries, maxShardBytes);
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(Checkpoint.CONFIG_FILE), configJson, StandardCharsets.UTF_8);
    Files.deleteIfExists(folder.resolve(Checkpoint.INDEX_FILE));
    if (shards.size() > 1) {
      Files.writeString(
          folder.resolve(Checkpoint.INDEX_FILE), index(shards), StandardCharsets.UTF_8);
    }
    CheckpointWriter out = new CheckpointWriter(folder, shards);
    out.nextShard();
    return out;
  }

  /** Splits {@code entries}, in order, into shards of at most {@code maxShardBytes} each. */
  public static List<List<Entry>> shard(List<Entry> entries, long maxShardBytes) {
    if (maxShardBytes <= 0) {
      throw new IllegalArgumentException("shard size must be positive, not " + maxShardBytes);
    }
    List<List<Entry>> shards = new ArrayList<>();
    List<Entry> current = new ArrayList<>();
    long bytes = 0;
    for (Entry e : entries) {
      if (!current.isEmpty() && bytes + e.byteLength() > maxShardBytes) {
        shards.add(List.copyOf(current));
        current.clear();
        bytes = 0;
      }
      current.add(e);
      bytes += e.byteLength();
    }
    shards.add(List.copyOf(current));
    return List.copyOf(shards);
  }

  /** The name of shard {@code i} (0-based) of {@code count}, as transformers names it. */
  public static String shardName(int i, int count) {
    return count == 1
        ? Checkpoint.SINGLE_FILE
        : String.format("model-%05d-of-%05d.safetensors", i + 1, count);
  }

  private static String index(List<List<Entry>> shards) {
    ObjectNode root = JSON.createObjectNode();
    long total = 0;
    Map<String, String> weightMap = new TreeMap<>();
    for (int i = 0; i < shards.size(); i++) {
      for (Entry e : shards.get(i)) {
        total += e.byteLength();
        weightMap.put(e.name(), shardName(i, shards.size()));
      }
    }
    root.putObject("metadata").put("total_size", total);
    ObjectNode map = root.putObject("weight_map");
    weightMap.forEach(map::put);
    return root.toPrettyString() + "\n";
  }

  /** Appends tensor data (little-endian, in declaration order), crossing into the next shard. */
  public void write(ByteBuffer data) throws IOException {
    while (data.hasRemaining()) {
      while (writer.remaining() == 0) {
        if (shard + 1 >= shards.size()) {
          throw new IOException(
              folder + ": " + data.remaining() + " bytes more than the declared tensors hold");
        }
        nextShard();
      }
      int n = (int) Math.min(data.remaining(), writer.remaining());
      ByteBuffer part = data.slice().limit(n);
      writer.write(part);
      data.position(data.position() + n);
    }
  }

  private void nextShard() throws IOException {
    if (writer != null) {
      writer.close();
    }
    shard++;
    writer =
        SafetensorsWriter.create(
            folder.resolve(shardName(shard, shards.size())), shards.get(shard), METADATA);
  }

  /** Closes the last shard; fails when tensors were left without their data. */
  @Override
  public void close() throws IOException {
    writer.close();
    while (shard + 1 < shards.size()) {
      if (SafetensorsWriter.dataBytes(shards.get(shard + 1)) > 0) {
        throw new IOException(
            folder
                + ": closed before shard "
                + shardName(shard + 1, shards.size())
                + " was written");
      }
      nextShard();
      writer.close();
    }
  }
}
