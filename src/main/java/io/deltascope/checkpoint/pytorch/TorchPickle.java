package io.deltascope.checkpoint.pytorch;

import io.deltascope.checkpoint.CheckpointException;
import io.deltascope.checkpoint.DType;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code data.pkl} of a {@code torch.save}d state dict, interpreted by a pickle machine that
 * knows only what such a file uses: the opcodes of protocols 2 to 5 that build dicts, lists,
 * tuples, strings and numbers, and the globals {@code torch.load(weights_only=True)} allows for
 * tensors (the storage types, {@code torch._utils._rebuild_tensor_v2} and {@code
 * _rebuild_parameter}, {@code collections.OrderedDict}). Anything else is refused by name: nothing
 * is instantiated, nothing is looked up by reflection. The pickle is untrusted input, so its work
 * is bounded (objects built, memo references followed, nesting depth, container sizes: limits far
 * above any real state dict), and nothing walks what it built: tuples are dict keys by identity,
 * lists and dicts are not keys at all (Python cannot hash them), and an error shows a value only as
 * a short preview. A pickle of repeated references nested 60 deep is thus 60 small tuples, not 2^60
 * items to hash or print.
 */
public final class TorchPickle {
  /** A tensor as the pickle describes it: a view of a storage, which is a zip entry. */
  public record StoredTensor(
      DType dtype,
      String storageKey,
      long storageElements,
      long storageOffset,
      long[] size,
      long[] stride) {}

  private record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  /**
   * A Python tuple; a dict key by identity, since hashing its items would visit a structure of
   * shared references once per path ({@code depth}: how deep containers nest inside it).
   */
  private record Tuple(List<Object> items, int depth) {
    @Override
    public boolean equals(Object o) {
      return this == o;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /** A Python list; {@code depth} grows as containers are appended. Never a key, never hashed. */
  private static final class PyList extends ArrayList<Object> {
    private static final long serialVersionUID = 1L;
    private int depth = 1;
  }

  /** A Python dict, in insertion order; {@code depth} as for {@link PyList}. */
  private static final class PyDict extends LinkedHashMap<Object, Object> {
    private static final long serialVersionUID = 1L;
    private int depth = 1;
  }

  private record Storage(DType dtype, String key, long elements) {}

  private static final Object MARK = new Object();
  private static final int MAX_STACK = 1 << 20;
  // a state dict of 100,000 tensors builds some 2 million objects (and memo entries, and memo
  // references): the limits are far above a real checkpoint's and far below a hang or a full heap
  private static final long MAX_OBJECTS = 20_000_000;
  private static final long MAX_MEMO_REFERENCES = 20_000_000;
  private static final int MAX_CONTAINER_ITEMS = 10_000_000;
  private static final int MAX_DEPTH = 1_000;
  private static final int MAX_RANK = 64;
  private static final int PREVIEW_CHARS = 60;
  private static final Map<Class<?>, String> PYTHON_TYPES =
      Map.of(
          Tuple.class, "tuple",
          PyList.class, "list",
          PyDict.class, "dict",
          String.class, "string",
          Long.class, "number",
          BigInteger.class, "number",
          Double.class, "float",
          Boolean.class, "bool");
  private static final Set<String> CALLABLE =
      Set.of(
          "collections.OrderedDict",
          "torch._utils._rebuild_tensor_v2",
          "torch._utils._rebuild_parameter",
          "torch._utils._rebuild_parameter_with_state");
  private static final Map<String, DType> STORAGES =
      Map.ofEntries(
          Map.entry("DoubleStorage", DType.F64),
          Map.entry("FloatStorage", DType.F32),
          Map.entry("HalfStorage", DType.F16),
          Map.entry("BFloat16Storage", DType.BF16),
          Map.entry("LongStorage", DType.I64),
          Map.entry("IntStorage", DType.I32),
          Map.entry("ShortStorage", DType.I16),
          Map.entry("CharStorage", DType.I8),
          Map.entry("ByteStorage", DType.U8),
          Map.entry("BoolStorage", DType.BOOL),
          Map.entry("UInt16Storage", DType.U16),
          Map.entry("UInt32Storage", DType.U32),
          Map.entry("UInt64Storage", DType.U64),
          Map.entry("Float8_e4m3fnStorage", DType.F8_E4M3),
          Map.entry("Float8_e5m2Storage", DType.F8_E5M2));

  private final String file;
  private final ByteBuffer in;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private long objects;
  private long memoReferences;

  private TorchPickle(String file, byte[] pickle) {
    this.file = file;
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The tensors of the state dict pickled in {@code pickle}, by name in file order; throws a
   * one-line {@link CheckpointException} naming {@code file} for anything else.
   */
  public static Map<String, StoredTensor> read(String file, byte[] pickle) {
    try {
      return new TorchPickle(file, pickle).run();
    } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
      throw CheckpointException.of(file, "data.pkl is truncated or damaged");
    }
  }

  private Map<String, StoredTensor> run() {
    Object result = execute();
    if (!(result instanceof Map<?, ?> dict)) {
      throw fail("data.pkl holds a %s, not a state dict", kind(result));
    }
    Map<String, StoredTensor> tensors = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw fail("state dict key %s is not a string", preview(e.getKey()));
      }
      if (!(e.getValue() instanceof StoredTensor t)) {
        throw fail(
            "state dict entry '%s' is a %s, not a tensor", shortText(name), kind(e.getValue()));
      }
      tensors.put(name, t);
    }
    return tensors;
  }

  private Object execute() {
    while (true) {
      int op = in.get() & 0xFF;
      switch (op) {
        case 0x80 -> in.get(); // PROTO
        case 0x95 -> in.getLong(); // FRAME: frames are only a read-ahead hint
        case '.' -> { // STOP
          return pop();
        }
        case '(' -> marks.add(stack.size());
        case '}' -> push(new PyDict());
        case ']' -> push(new PyList());
        case ')' -> push(tuple(List.of()));
        case 't' -> push(tuple(popMark()));
        case 0x85 -> push(tuple(popN(1)));
        case 0x86 -> push(tuple(popN(2)));
        case 0x87 -> push(tuple(popN(3)));
        case 'l' -> {
          PyList list = new PyList();
          append(list, popMark());
          push(list);
        }
        case 'N' -> push(null);
        case 0x88 -> push(Boolean.TRUE);
        case 0x89 -> push(Boolean.FALSE);
        case 'J' -> push((long) in.getInt());
        case 'K' -> push((long) (in.get() & 0xFF));
        case 'M' -> push((long) (in.getShort() & 0xFFFF));
        case 0x8a -> push(long1(in.get() & 0xFF));
        case 'G' -> push(Double.longBitsToDouble(Long.reverseBytes(in.getLong()))); // big-endian
        case 'X' -> push(string(in.getInt()));
        case 0x8c -> push(string(in.get() & 0xFF));
        case 0x8d -> push(string(in.getLong()));
        case 'q' -> memoize((long) (in.get() & 0xFF));
        case 'r' -> memoize((long) in.getInt() & 0xFFFFFFFFL);
        case 0x94 -> memoize((long) memo.size()); // MEMOIZE
        case 'h' -> pushReference(memo((long) (in.get() & 0xFF)));
        case 'j' -> pushReference(memo((long) in.getInt() & 0xFFFFFFFFL));
        case 'c' -> push(global(line(), line()));
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          push(global(text(pop()), text(name)));
        }
        case 'R' -> {
          Object args = pop();
          push(reduce(pop(), args));
        }
        case 'Q' -> push(persistent(pop()));
        case 'b' -> build(pop(), peek());
        case 's' -> {
          Object value = pop();
          Object key = pop();
          put(dict(peek()), key, value);
        }
        case 'u' -> {
          List<Object> items = popMark();
          PyDict d = dict(peek());
          for (int i = 0; i + 1 < items.size(); i += 2) {
            put(d, items.get(i), items.get(i + 1));
          }
        }
        case 'a' -> {
          Object value = pop();
          append(list(peek()), Collections.singletonList(value)); // None is null
        }
        case 'e' -> {
          List<Object> items = popMark();
          append(list(peek()), items);
        }
        default ->
            throw fail(
                "data.pkl uses pickle opcode 0x%02x at byte %d, which a tensor state dict does"
                    + " not use: refused",
                op, in.position() - 1);
      }
    }
  }

  private Object global(String module, String name) {
    Global g = new Global(module, name);
    if (CALLABLE.contains(g.qualified())
        || (module.equals("torch") && STORAGES.containsKey(name))) {
      return g;
    }
    throw fail(
        "data.pkl asks for the global '%s', which is not part of a tensor state dict (only what"
            + " torch.load(weights_only=True) allows is read): refused",
        shortText(g.qualified()));
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Global g) || !(args instanceof Tuple t)) {
      throw fail("data.pkl calls a %s: refused", kind(callable));
    }
    List<Object> a = t.items();
    return switch (g.qualified()) {
      case "collections.OrderedDict" -> {
        if (!a.isEmpty()) {
          throw fail("collections.OrderedDict called with arguments");
        }
        yield new PyDict();
      }
      case "torch._utils._rebuild_tensor_v2" -> tensor(a);
      case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state" -> {
        if (a.isEmpty() || !(a.get(0) instanceof StoredTensor)) {
          throw fail("_rebuild_parameter without a tensor");
        }
        yield a.get(0);
      }
      default -> throw fail("data.pkl calls '%s', which builds no tensor: refused", g.qualified());
    };
  }

  // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, ...)
  private StoredTensor tensor(List<Object> a) {
    if (a.size() < 4 || !(a.get(0) instanceof Storage s)) {
      throw fail("_rebuild_tensor_v2 without a storage");
    }
    long offset = number(a.get(1));
    long[] size = dims(a.get(2));
    long[] stride = dims(a.get(3));
    if (size.length != stride.length) {
      throw fail(
          "tensor of size %s has strides %s", Arrays.toString(size), Arrays.toString(stride));
    }
    return new StoredTensor(s.dtype(), s.key(), s.elements(), offset, size, stride);
  }

  // ('storage', torch.XStorage, key, location, numel)
  private Storage persistent(Object pid) {
    if (!(pid instanceof Tuple t)
        || t.items().size() != 5
        || !"storage".equals(t.items().get(0))
        || !(t.items().get(1) instanceof Global g)
        || !STORAGES.containsKey(g.name())) {
      throw fail("data.pkl has a persistent id that is not a tensor storage: refused");
    }
    return new Storage(STORAGES.get(g.name()), text(t.items().get(2)), number(t.items().get(4)));
  }

  // an OrderedDict's state (a state dict's _metadata: module versions) carries no tensors
  private void build(Object state, Object target) {
    if (!(target instanceof Map) || !(state instanceof Map || state == null)) {
      throw fail("data.pkl sets the state of a %s: refused", kind(target));
    }
  }

  private long[] dims(Object o) {
    if (!(o instanceof Tuple t)) {
      throw fail("tensor size or stride is a %s, not a tuple", kind(o));
    }
    if (t.items().size() > MAX_RANK) {
      throw fail("tensor of %d dimensions: refused (at most %d)", t.items().size(), MAX_RANK);
    }
    long[] dims = new long[t.items().size()];
    for (int i = 0; i < dims.length; i++) {
      dims[i] = number(t.items().get(i));
      if (dims[i] < 0) {
        throw fail("negative tensor dimension or stride %d", dims[i]);
      }
    }
    return dims;
  }

  private long number(Object o) {
    if (!(o instanceof Long n)) {
      throw fail("expected an integer, found a %s", kind(o));
    }
    return n;
  }

  private String text(Object o) {
    if (!(o instanceof String s)) {
      throw fail("expected a string, found a %s", kind(o));
    }
    return s;
  }

  private PyDict dict(Object o) {
    if (!(o instanceof PyDict d)) {
      throw fail("data.pkl sets an item of a %s", kind(o));
    }
    return d;
  }

  private PyList list(Object o) {
    if (!(o instanceof PyList l)) {
      throw fail("data.pkl appends to a %s", kind(o));
    }
    return l;
  }

  private Tuple tuple(List<Object> items) {
    int depth = 0;
    for (Object item : items) {
      depth = Math.max(depth, depth(item));
    }
    return new Tuple(items, nested(depth + 1));
  }

  private void append(PyList list, List<Object> items) {
    if (items.size() > MAX_CONTAINER_ITEMS - list.size()) {
      throw fail("data.pkl grows a list past %d items: refused", MAX_CONTAINER_ITEMS);
    }
    for (Object item : items) {
      list.depth = nested(Math.max(list.depth, depth(item) + 1));
    }
    list.addAll(items);
  }

  // as Python, which cannot hash a list or a dict; a tuple is a key by identity (see Tuple)
  private void put(PyDict dict, Object key, Object value) {
    if (key instanceof PyList || key instanceof PyDict) {
      throw fail("data.pkl uses a %s as a dict key, which Python cannot hash: refused", kind(key));
    }
    if (dict.size() >= MAX_CONTAINER_ITEMS) {
      throw fail("data.pkl grows a dict past %d items: refused", MAX_CONTAINER_ITEMS);
    }
    dict.depth = nested(Math.max(dict.depth, Math.max(depth(key), depth(value)) + 1));
    dict.put(key, value);
  }

  private int nested(int depth) {
    if (depth > MAX_DEPTH) {
      throw fail("data.pkl nests containers more than %d deep: refused", MAX_DEPTH);
    }
    return depth;
  }

  private static int depth(Object o) {
    if (o instanceof Tuple t) {
      return t.depth();
    }
    if (o instanceof PyList l) {
      return l.depth;
    }
    return o instanceof PyDict d ? d.depth : 0;
  }

  private Object long1(int n) {
    byte[] le = new byte[n];
    in.get(le);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    BigInteger value = new BigInteger(be);
    // legacy torch.save files start with this magic number
    return value.bitLength() < 64 ? (Object) value.longValue() : value;
  }

  private String string(long length) {
    if (length < 0 || length > in.remaining()) {
      throw fail("string of %d bytes runs past the end of data.pkl", length);
    }
    byte[] bytes = new byte[(int) length];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private String line() {
    int start = in.position();
    while (in.get() != '\n') {
      if (in.position() - start > 256) {
        throw fail("global name over 256 bytes");
      }
    }
    return new String(in.array(), start, in.position() - 1 - start, StandardCharsets.UTF_8);
  }

  private void memoize(long key) {
    if (memo.size() >= MAX_OBJECTS && !memo.containsKey(key)) {
      throw fail("data.pkl memoizes more than %d objects: refused", MAX_OBJECTS);
    }
    memo.put(key, peek());
  }

  private Object memo(long key) {
    if (!memo.containsKey(key)) {
      throw fail("data.pkl reads memo %d, never stored", key);
    }
    return memo.get(key);
  }

  /** Pushes an object the pickle built. */
  private void push(Object o) {
    if (++objects > MAX_OBJECTS) {
      throw fail("data.pkl builds more than %d objects: refused", MAX_OBJECTS);
    }
    onStack(o);
  }

  /** Pushes an object the memo holds: built before, referred to again. */
  private void pushReference(Object o) {
    if (++memoReferences > MAX_MEMO_REFERENCES) {
      throw fail("data.pkl follows more than %d memo references: refused", MAX_MEMO_REFERENCES);
    }
    onStack(o);
  }

  private void onStack(Object o) {
    if (stack.size() >= MAX_STACK) {
      throw fail("data.pkl's stack grows past %d items", MAX_STACK);
    }
    stack.add(o);
  }

  private Object pop() {
    if (stack.isEmpty() || (!marks.isEmpty() && marks.get(marks.size() - 1) == stack.size())) {
      throw fail("data.pkl pops an empty stack");
    }
    return stack.remove(stack.size() - 1);
  }

  private Object peek() {
    if (stack.isEmpty()) {
      throw fail("data.pkl reads an empty stack");
    }
    return stack.get(stack.size() - 1);
  }

  private List<Object> popN(int n) {
    List<Object> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      items.add(0, pop());
    }
    return items;
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw fail("data.pkl closes a mark it never opened");
    }
    int at = marks.remove(marks.size() - 1);
    List<Object> top = stack.subList(at, stack.size());
    List<Object> items = new ArrayList<>(top);
    top.clear();
    return items;
  }

  private static String kind(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Global g) {
      return "global " + g.qualified();
    }
    return PYTHON_TYPES.getOrDefault(o.getClass(), o.getClass().getSimpleName());
  }

  /**
   * At most {@link #PREVIEW_CHARS} characters of {@code o} as Python would print it: the walk stops
   * when the text is long enough, so a value of shared or self references costs no more.
   */
  static String preview(Object o) {
    StringBuilder out = new StringBuilder();
    render(o, out);
    return out.length() <= PREVIEW_CHARS ? out.toString() : out.substring(0, PREVIEW_CHARS) + "...";
  }

  private static void render(Object o, StringBuilder out) {
    if (out.length() > PREVIEW_CHARS) {
      return;
    }
    if (o instanceof Tuple t) {
      renderItems(t.items(), "(", ")", out);
    } else if (o instanceof PyList l) {
      renderItems(l, "[", "]", out);
    } else if (o instanceof PyDict d) {
      out.append(d.isEmpty() ? "{}" : "{...}");
    } else if (o instanceof String text) {
      out.append('\'').append(shortText(text)).append('\'');
    } else if (o instanceof Boolean b) {
      out.append(b ? "True" : "False");
    } else if (o instanceof Long || o instanceof BigInteger || o instanceof Double) {
      out.append(o);
    } else {
      out.append(kind(o));
    }
  }

  /**
   * {@code text} fit for a one-line message: at most {@link #PREVIEW_CHARS} characters, line breaks
   * escaped (a name in a pickle is any string the file's author chose).
   */
  static String shortText(String text) {
    String cut = text.length() <= PREVIEW_CHARS ? text : text.substring(0, PREVIEW_CHARS) + "...";
    return cut.replace("\r", "\\r").replace("\n", "\\n");
  }

  private static void renderItems(List<?> items, String open, String close, StringBuilder out) {
    out.append(open);
    for (int i = 0; i < items.size() && out.length() <= PREVIEW_CHARS; i++) {
      if (i > 0) {
        out.append(", ");
      }
      render(items.get(i), out);
    }
    out.append(close);
  }

  private CheckpointException fail(String problem, Object... args) {
    return CheckpointException.of(file, problem, args);
  }
}
