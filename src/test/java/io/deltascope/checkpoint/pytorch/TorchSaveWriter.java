package io.deltascope.checkpoint.pytorch;

import io.deltascope.checkpoint.Checkpoint;
import io.deltascope.checkpoint.DType;
import io.deltascope.checkpoint.TensorInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes {@code pytorch_model.bin} files the way {@code torch.save} lays them out (a zip of stored
 * entries: {@code ARCHIVE/data.pkl}, {@code ARCHIVE/data/KEY} per storage), with the pickle written
 * opcode by opcode, so that tests need no Python: hostile pickles, and a tied head as torch.save
 * writes it (a second name for the embedding's storage).
 */
public final class TorchSaveWriter {
  private static final Map<DType, String> STORAGES =
      Map.of(DType.F16, "HalfStorage", DType.BF16, "BFloat16Storage", DType.F32, "FloatStorage");

  private TorchSaveWriter() {}

  /** A pickle, written opcode by opcode. */
  public static final class Pickle {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** A protocol-2 pickle. */
    public static Pickle protocol2() {
      return new Pickle().op(0x80, 2);
    }

    /** Raw opcodes and their arguments, byte by byte. */
    public Pickle op(int... bytes) {
      for (int b : bytes) {
        out.write(b);
      }
      return this;
    }

    /** BINUNICODE. */
    public Pickle str(String s) {
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      out.write('X');
      writeInt(utf8.length);
      out.writeBytes(utf8);
      return this;
    }

    /** BININT. */
    public Pickle integer(int n) {
      out.write('J');
      writeInt(n);
      return this;
    }

    /** GLOBAL. */
    public Pickle global(String module, String name) {
      out.write('c');
      out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
      return this;
    }

    /** LONG_BINPUT: memoizes the top of the stack as {@code index}. */
    public Pickle put(int index) {
      out.write('r');
      writeInt(index);
      return this;
    }

    /** LONG_BINGET: pushes memo {@code index}. */
    public Pickle get(int index) {
      out.write('j');
      writeInt(index);
      return this;
    }

    /** STOP, and the pickle's bytes. */
    public byte[] stop() {
      out.write('.');
      return out.toByteArray();
    }

    private void writeInt(int n) {
      out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(n).array());
    }
  }

  /**
   * A {@code torch.save} zip holding {@code pickle} as {@code archive/data.pkl} and each storage as
   * {@code archive/data/KEY}, all stored uncompressed.
   */
  public static void writeZip(Path file, byte[] pickle, Map<String, byte[]> storages)
      throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        ZipOutputStream zip = new ZipOutputStream(os)) {
      stored(zip, "archive/data.pkl", pickle);
      for (Map.Entry<String, byte[]> s : storages.entrySet()) {
        stored(zip, "archive/data/" + s.getKey(), s.getValue());
      }
      stored(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  /**
   * {@code checkpoint} as torch.save writes a model's state dict: one storage per tensor, in name
   * order, config.json copied; each of {@code ties} (a name to the tensor it shares) pickled as a
   * second reference to that tensor's storage, view and all, as torch.save writes a tied head.
   */
  public static Path writeFolder(
      Checkpoint checkpoint, Path source, Map<String, String> ties, Path folder)
      throws IOException {
    Files.createDirectories(folder);
    Files.copy(source.resolve(Checkpoint.CONFIG_FILE), folder.resolve(Checkpoint.CONFIG_FILE));
    Map<String, byte[]> storages = new LinkedHashMap<>();
    Map<String, Integer> memoOfStorage = new LinkedHashMap<>();
    Pickle p = Pickle.protocol2().op('}').op('(');
    for (TensorInfo t : checkpoint.tensors().values()) {
      String key = String.valueOf(storages.size());
      storages.put(key, bytes(t));
      memoOfStorage.put(t.name(), memoOfStorage.size());
      p.str(t.name());
      tensor(p, t, key, memoOfStorage.get(t.name()), false);
    }
    for (Map.Entry<String, String> tie : ties.entrySet()) {
      TensorInfo shared = checkpoint.tensor(tie.getValue());
      p.str(tie.getKey());
      tensor(p, shared, null, memoOfStorage.get(tie.getValue()), true);
    }
    byte[] pickle = p.op('u').stop();
    writeZip(folder.resolve(Checkpoint.PYTORCH_FILE), pickle, storages);
    return folder;
  }

  /**
   * A state dict whose one key is a tuple of two references to a tuple of two references to ...,
   * {@code levels} deep: a few bytes a level, 2^levels leaves to a hash or a print that walks it.
   */
  public static byte[] nestedTupleKey(int levels) {
    Pickle p = Pickle.protocol2().op('}', ')').put(0);
    for (int i = 1; i <= levels; i++) {
      p.get(i - 1).op(0x86).put(i); // TUPLE2 of the level below and a reference to it
    }
    return p.op('N', 's').stop();
  }

  /** A state dict whose key is a list that contains itself. */
  public static byte[] selfContainingListKey() {
    return Pickle.protocol2().op('}', ']', 'q', 0, 'h', 0, 'a', 'N', 's').stop();
  }

  // _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()); a shared storage by memo
  private static void tensor(Pickle p, TensorInfo t, String key, int memo, boolean shared) {
    p.global("torch._utils", "_rebuild_tensor_v2").op('(');
    if (shared) {
      p.get(memo);
    } else {
      long elements = t.elementCount();
      p.op('(').str("storage").global("torch", STORAGES.get(t.dtype())).str(key).str("cpu");
      p.integer(Math.toIntExact(elements)).op('t', 'Q').put(memo);
    }
    p.integer(0).op('(');
    long[] dims = t.shape().dims();
    for (long d : dims) {
      p.integer(Math.toIntExact(d));
    }
    p.op('t', '(');
    long stride = 1;
    long[] strides = new long[dims.length];
    for (int i = dims.length - 1; i >= 0; i--) {
      strides[i] = stride;
      stride *= dims[i];
    }
    for (long s : strides) {
      p.integer(Math.toIntExact(s));
    }
    p.op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
  }

  private static byte[] bytes(TensorInfo t) throws IOException {
    byte[] bytes = new byte[Math.toIntExact(t.byteLength())];
    try (RandomAccessFile f = new RandomAccessFile(t.file(), "r")) {
      f.seek(t.offset());
      f.readFully(bytes);
    }
    return bytes;
  }

  private static void stored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
    ZipEntry entry = new ZipEntry(name);
    entry.setMethod(ZipEntry.STORED);
    entry.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    entry.setCrc(crc.getValue());
    zip.putNextEntry(entry);
    zip.write(bytes);
    zip.closeEntry();
  }
}
