package io.deltascope.checkpoint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubSettingsTest {
  @TempDir Path dir;

  @Test
  void theTokenComesFromHfTokenElseTheLoginFileAndIsNeverInToString() throws IOException {
    Files.writeString(dir.resolve("token"), "hf_from_file\n");
    HubSettings fromFile = HubSettings.fromEnvironment(Map.of("HF_HOME", dir.toString()));
    assertThat(fromFile.token()).isEqualTo("hf_from_file");
    assertThat(fromFile.endpoint()).isEqualTo(HubSettings.DEFAULT_ENDPOINT);
    assertThat(fromFile.offline()).isFalse();
    assertThat(fromFile.toString()).doesNotContain("hf_from_file");

    HubSettings fromEnv =
        HubSettings.fromEnvironment(
            Map.of(
                "HF_HOME", dir.toString(),
                "HF_TOKEN", "hf_env",
                "HF_ENDPOINT", "http://127.0.0.1:8080/",
                "HF_HUB_OFFLINE", "1"));
    assertThat(fromEnv.token()).isEqualTo("hf_env");
    assertThat(fromEnv.endpoint()).isEqualTo("http://127.0.0.1:8080");
    assertThat(fromEnv.offline()).isTrue();
  }

  @Test
  void hubPathsParseWithAndWithoutRevisionAndSubfolder() {
    assertThat(HubPath.parse("hf://Qwen/Qwen2.5-7B"))
        .isEqualTo(new HubPath("Qwen/Qwen2.5-7B", "main", ""));
    assertThat(HubPath.parse("hf://org/name@v1.0/sub/dir/"))
        .isEqualTo(new HubPath("org/name", "v1.0", "sub/dir"));
    assertThat(HubPath.parse("hf://org")).isNull();
    assertThat(new HubPath("org/name", "abc", "x").toString()).isEqualTo("hf://org/name@abc/x");
  }
}
