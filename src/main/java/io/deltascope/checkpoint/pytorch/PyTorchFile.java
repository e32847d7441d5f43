package io.deltascope.checkpoint.pytorch;

import io.deltascope.checkpoint.ByteSource;
import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.Locations;
import io.deltascope.checkpoint.Shape;
import io.deltascope.checkpoint.TensorInfo;
import io.deltascope.checkpoint.WeightsFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code pytorch_model.bin} ({@code torch.save} of a state dict, PyTorch's zip format since 1.6):
 * the tensor catalogue from {@code ARCHIVE/data.pkl} ({@link TorchPickle}), each tensor's bytes in
 * place in its storage's zip entry {@code ARCHIVE/data/KEY}, which PyTorch stores uncompressed.
 * Only {@code data.pkl} and the zip directory are read here.
 *
 * <p>{@code torch.save} writes a tied weight ({@code lm_head.weight} sharing the embedding's
 * storage) as a second name for the same view: same storage, offset, size and strides. Such a name
 * is a tie, not a tensor, as in a safetensors checkpoint that does not store it.
 *
 * @param location the file
 * @param tensors tensors in pickle order, with absolute offsets; each view once
 * @param ties each second name of a view, to the first name pickled for it
 */
public record PyTorchFile(String location, List<TensorInfo> tensors, Map<String, String> ties)
    implements WeightsFile {
  /** The first bytes of a pre-1.6 {@code torch.save}: a protocol-2 pickle of a magic LONG1. */
  private static final byte[] LEGACY = {(byte) 0x80, 0x02, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc};

  private static final long MAX_PICKLE_BYTES = 256L << 20;

  /** What makes two pickled tensors one: the same elements of the same storage, laid out alike. */
  private record View(String storageKey, long offset, List<Long> size, List<Long> stride) {
    static View of(TorchPickle.StoredTensor t) {
      return new View(t.storageKey(), t.storageOffset(), boxed(t.size()), boxed(t.stride()));
    }

    private static List<Long> boxed(long[] dims) {
      return Arrays.stream(dims).boxed().toList();
    }
  }

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }

  /** Whether {@code first} (a file's first bytes) start a zip or a legacy torch pickle. */
  public static boolean hasMagic(byte[] first) {
    return startsWith(first, new byte[] {'P', 'K', 3, 4}) || startsWith(first, LEGACY);
  }

  public static PyTorchFile read(String location) {
    try (ByteSource source = Locations.open(location)) {
      return read(source);
    } catch (IOException e) {
      throw CheckpointException.of(location, "cannot read: %s", e.getMessage());
    }
  }

  public static PyTorchFile read(ByteSource source) throws IOException {
    String file = source.location();
    byte[] first = source.bytes(0, (int) Math.min(6, source.size()));
    if (startsWith(first, LEGACY)) {
      throw CheckpointException.of(
          file,
          "PyTorch's legacy format (torch < 1.6), which deltascope does not read: re-save it with"
              + " torch.save in PyTorch 1.6 or later, or as safetensors");
    }
    if (!startsWith(first, new byte[] {'P', 'K', 3, 4})) {
      throw CheckpointException.of(file, "not a PyTorch checkpoint (no zip signature)");
    }
    ZipDirectory zip = ZipDirectory.read(source);
    ZipDirectory.Entry pickle =
        zip.entries().values().stream()
            .filter(
                e ->
                    e.name().endsWith("/data.pkl")
                        && e.name().indexOf('/') == e.name().lastIndexOf('/'))
            .findFirst()
            .orElseThrow(
                () ->
                    CheckpointException.of(
                        file, "zip without ARCHIVE/data.pkl: not a torch.save file"));
    String archive = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
    Map<String, TorchPickle.StoredTensor> stored =
        TorchPickle.read(file, entryBytes(source, file, pickle));
    return catalogue(file, zip, archive, stored);
  }

  // each view once, under its first name; a second name for it is a tie
  private static PyTorchFile catalogue(
      String file, ZipDirectory zip, String archive, Map<String, TorchPickle.StoredTensor> stored) {
    List<TensorInfo> tensors = new ArrayList<>();
    Map<View, String> firstNames = new HashMap<>();
    Map<String, String> ties = new LinkedHashMap<>();
    for (Map.Entry<String, TorchPickle.StoredTensor> e : stored.entrySet()) {
      String firstName = firstNames.putIfAbsent(View.of(e.getValue()), e.getKey());
      if (firstName != null) {
        ties.put(e.getKey(), firstName);
      } else {
        tensors.add(tensor(file, zip, archive, e.getKey(), e.getValue()));
      }
    }
    return new PyTorchFile(
        file, List.copyOf(tensors), Collections.unmodifiableMap(new LinkedHashMap<>(ties)));
  }

  private static byte[] entryBytes(ByteSource source, String file, ZipDirectory.Entry entry)
      throws IOException {
    if (entry.method() != 0) {
      throw CheckpointException.of(
          file,
          "zip entry '%s' is compressed (method %d): torch.save stores entries uncompressed",
          TorchPickle.shortText(entry.name()),
          entry.method());
    }
    if (entry.size() > MAX_PICKLE_BYTES) {
      throw CheckpointException.of(file, "data.pkl of %d bytes is absurd", entry.size());
    }
    return source.bytes(entry.dataOffset(), (int) entry.size());
  }

  private static TensorInfo tensor(
      String file, ZipDirectory zip, String archive, String tensor, TorchPickle.StoredTensor t) {
    ZipDirectory.Entry storage = zip.entries().get(archive + "data/" + t.storageKey());
    String name = TorchPickle.shortText(tensor);
    String key = TorchPickle.shortText(t.storageKey());
    if (storage == null) {
      throw CheckpointException.of(file, "tensor '%s': storage '%s' has no zip entry", name, key);
    }
    if (storage.method() != 0) {
      throw CheckpointException.of(
          file, "tensor '%s': storage '%s' is compressed: re-save it with torch.save", name, key);
    }
    int itemSize = t.dtype().bytesPerBlock();
    Shape shape = Shape.of(t.size());
    long elements;
    try {
      elements = shape.elementCount();
      if (Math.multiplyExact(t.storageElements(), (long) itemSize) != storage.size()) {
        throw CheckpointException.of(
            file,
            "tensor '%s': storage '%s' declares %d %s elements but its entry holds %d bytes",
            name,
            key,
            t.storageElements(),
            t.dtype(),
            storage.size());
      }
    } catch (ArithmeticException e) {
      throw CheckpointException.of(file, "tensor '%s': shape %s is too large", name, shape);
    }
    if (!isRowMajor(t.size(), t.stride())) {
      throw CheckpointException.of(
          file,
          "tensor '%s': strides %s are not row-major for shape %s (a transposed or strided view):"
              + " save tensor.contiguous()",
          name,
          Arrays.toString(t.stride()),
          shape);
    }
    if (t.storageOffset() > t.storageElements()
        || elements > t.storageElements() - t.storageOffset()) {
      throw CheckpointException.of(
          file,
          "tensor '%s': elements [%d, %d) run past its storage of %d",
          name,
          t.storageOffset(),
          t.storageOffset() + elements,
          t.storageElements());
    }
    return new TensorInfo(
        tensor,
        t.dtype(),
        shape,
        file,
        storage.dataOffset() + t.storageOffset() * itemSize,
        elements * itemSize);
  }

  // as torch's is_contiguous: the stride of a dimension of size 1 does not matter
  private static boolean isRowMajor(long[] size, long[] stride) {
    long expected = 1;
    for (int i = size.length - 1; i >= 0; i--) {
      if (size[i] != 1 && stride[i] != expected) {
        return false;
      }
      expected *= size[i];
    }
    return true;
  }

  private static boolean startsWith(byte[] bytes, byte[] prefix) {
    return bytes.length >= prefix.length
        && Arrays.equals(Arrays.copyOf(bytes, prefix.length), prefix);
  }
}
