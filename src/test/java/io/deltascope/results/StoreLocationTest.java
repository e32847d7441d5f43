package io.deltascope.results;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A results store that is a file, or would be made inside one, is refused by the store's own rule:
 * the check before a run and the write itself say the same line, and the file is left as it was.
 */
class StoreLocationTest {
  @TempDir java.nio.file.Path dir;

  @Test
  void aStoreThatIsAFileIsRefused() throws Exception {
    java.nio.file.Path file = Files.writeString(dir.resolve("store.txt"), "not a store");
    String expected = file + ": is a file, expected a results store folder";
    FileSystem fs = FileSystem.getLocal(new Configuration());
    assertThatThrownBy(() -> ResultsStore.checkWritable(fs, new Path(file.toString())))
        .isInstanceOf(StoreException.class)
        .hasMessage(expected);
    assertThatThrownBy(() -> folder(file.toString()).prepareForWrite())
        .isInstanceOf(StoreException.class)
        .hasMessage(expected);
    assertThat(Files.readString(file)).isEqualTo("not a store");
  }

  @Test
  void aStoreInsideAFileIsRefusedNamingTheFile() throws Exception {
    java.nio.file.Path file = Files.writeString(dir.resolve("store.txt"), "not a store");
    String store = file.resolve("runs/store").toString();
    String expected =
        store + ": " + file + " is a file, so the results store folder cannot be made in it";
    FileSystem fs = FileSystem.getLocal(new Configuration());
    assertThatThrownBy(() -> ResultsStore.checkWritable(fs, new Path(store)))
        .isInstanceOf(StoreException.class)
        .hasMessage(expected);
    assertThatThrownBy(() -> folder(store).prepareForWrite())
        .isInstanceOf(StoreException.class)
        .hasMessage(expected);
    assertThat(Files.readString(file)).isEqualTo("not a store");
  }

  @Test
  void aStoreToBeMadeInFoldersThatDoNotExistYetIsAccepted() throws Exception {
    String store = dir.resolve("new/nested/store").toString();
    ResultsStore.checkWritable(FileSystem.getLocal(new Configuration()), new Path(store));
    assertThat(dir.resolve("new")).doesNotExist(); // the check writes nothing
  }

  private static StoreFolder folder(String root) {
    return new StoreFolder(new Path(root), new Configuration());
  }
}
