package io.deltascope.cli;

import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * Every class of Spark's and Delta's jars on the test class path that extends Spark's {@code
 * LogicalPlan}, found from the class files' headers (superclass and interfaces), so no class is
 * loaded or initialised to find them.
 */
final class LogicalPlanClasses {
  private static final String LOGICAL_PLAN =
      "org/apache/spark/sql/catalyst/plans/logical/LogicalPlan";

  private LogicalPlanClasses() {}

  /** The binary names (dots, {@code $}) of the subclasses, sorted. */
  static Set<String> onClassPath() {
    Map<String, List<String>> supertypes = new HashMap<>();
    for (File jar : sparkJars()) {
      readHeaders(jar, supertypes);
    }
    Set<String> subclasses = new HashSet<>(Set.of(LOGICAL_PLAN));
    boolean grew = true;
    while (grew) {
      grew = false;
      for (Map.Entry<String, List<String>> type : supertypes.entrySet()) {
        if (!subclasses.contains(type.getKey())
            && type.getValue().stream().anyMatch(subclasses::contains)) {
          grew = subclasses.add(type.getKey()) || grew;
        }
      }
    }
    subclasses.remove(LOGICAL_PLAN);
    Set<String> names = new TreeSet<>();
    subclasses.forEach(n -> names.add(n.replace('/', '.')));
    return names;
  }

  /** Spark's and Delta's jars: the only ones on this class path that extend LogicalPlan. */
  static List<File> sparkJars() {
    String path =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<File> jars = new ArrayList<>();
    for (String entry : path.split(File.pathSeparator)) {
      File file = new File(entry);
      String name = file.getName();
      if (name.endsWith(".jar") && (name.startsWith("spark-") || name.startsWith("delta-"))) {
        jars.add(file);
      }
    }
    return jars;
  }

  private static void readHeaders(File jar, Map<String, List<String>> supertypes) {
    try (JarFile file = new JarFile(jar)) {
      for (JarEntry entry : java.util.Collections.list(file.entries())) {
        if (entry.getName().endsWith(".class") && !entry.getName().contains("module-info")) {
          try (InputStream in = file.getInputStream(entry)) {
            ClassHeader header = ClassHeader.read(new DataInputStream(in));
            supertypes.put(header.name(), header.supertypes());
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(jar + ": " + e.getMessage(), e);
    }
  }

  /** A class file's own name, superclass and interfaces (JVMS 4.1). */
  private record ClassHeader(String name, List<String> supertypes) {
    static ClassHeader read(DataInputStream in) throws IOException {
      in.readInt(); // magic
      in.readUnsignedShort(); // minor
      in.readUnsignedShort(); // major
      int count = in.readUnsignedShort();
      String[] utf8 = new String[count];
      int[] classNameIndex = new int[count];
      for (int i = 1; i < count; i++) {
        int tag = in.readUnsignedByte();
        switch (tag) {
          case 1 -> utf8[i] = in.readUTF();
          case 7 -> classNameIndex[i] = in.readUnsignedShort();
          case 8, 16, 19, 20 -> in.readUnsignedShort();
          case 15 -> {
            in.readUnsignedByte();
            in.readUnsignedShort();
          }
          case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
          case 5, 6 -> {
            in.readLong();
            i++; // eight-byte constants take two entries
          }
          default -> throw new IOException("unknown constant pool tag " + tag);
        }
      }
      in.readUnsignedShort(); // access flags
      String name = utf8[classNameIndex[in.readUnsignedShort()]];
      List<String> supertypes = new ArrayList<>();
      int superIndex = in.readUnsignedShort();
      if (superIndex != 0) {
        supertypes.add(utf8[classNameIndex[superIndex]]);
      }
      int interfaces = in.readUnsignedShort();
      for (int i = 0; i < interfaces; i++) {
        supertypes.add(utf8[classNameIndex[in.readUnsignedShort()]]);
      }
      return new ClassHeader(name, supertypes);
    }
  }
}
