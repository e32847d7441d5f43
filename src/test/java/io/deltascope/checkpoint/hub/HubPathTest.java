package io.deltascope.checkpoint.hub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HubPathTest {

  @Test
  void onlyRelativeNormalisedNamesAreInsideTheRepo() {
    assertThat(HubPath.isInsideRepo("model.safetensors")).isTrue();
    assertThat(HubPath.isInsideRepo("sub/dir/config.json")).isTrue();
    assertThat(HubPath.isInsideRepo("name with spaces & #.json")).isTrue();
    for (String outside :
        new String[] {
          "",
          "..",
          "../evil.json",
          "sub/../../evil.json",
          "sub/..",
          "./config.json",
          "sub/./config.json",
          "/etc/passwd",
          "sub//config.json",
          "sub/",
          "..\\evil.json",
          "sub\\config.json",
          "evil\0.json",
          "evil\n.json"
        }) {
      assertThat(HubPath.isInsideRepo(outside)).as(outside).isFalse();
    }
  }

  @Test
  void aLocationWhosePathLeavesTheRepoIsNotAHubLocation() {
    assertThat(HubPath.parse("hf://org/name@main/sub/"))
        .isEqualTo(new HubPath("org/name", "main", "sub"));
    assertThat(HubPath.parse("hf://org/name/../../x")).isNull();
    assertThat(HubPath.parse("hf://org/name@main/sub//x")).isNull();
  }

  @Test
  void aNameIsPrintedOnOneLine() {
    assertThat(HubPath.printable("evil\0\n.json")).isEqualTo("evil\\u0000\\u000a.json");
  }
}
