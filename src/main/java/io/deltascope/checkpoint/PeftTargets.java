package io.deltascope.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which modules a LoRA config applies to, by PEFT's own matching rules (peft 0.21 {@code
 * check_target_module_exists}, {@code get_pattern_key}). A module is its name in the base model
 * ("model.layers.0.self_attn.q_proj").
 *
 * <ul>
 *   <li>{@code target_modules}: a list matches a module it names whole or ends with after a dot; a
 *       string is a regular expression the whole name must match; "all-linear" every linear layer.
 *       A list is narrowed by {@code layers_to_transform} (and {@code layers_pattern}).
 *   <li>{@code exclude_modules} (a list or a regular expression, as target_modules) and {@code
 *       modules_to_save} take modules out of the targets.
 *   <li>{@code modules_to_save}: modules stored whole (their tensors replace the base's), never
 *       targets.
 * </ul>
 */
public record PeftTargets(
    List<String> targetList,
    Pattern targetRegex,
    boolean allLinear,
    List<String> excludeList,
    Pattern excludeRegex,
    List<Integer> layers,
    List<String> layersPatterns,
    List<String> modulesToSave) {
  private static final String ALL_LINEAR = "all-linear";
  private static final Pattern ANY_LAYER = Pattern.compile(".*?\\.[^.]*\\.(\\d+)\\.");

  static PeftTargets of(String file, JsonNode config) {
    JsonNode targets = config.path("target_modules");
    boolean allLinear =
        targets.isTextual() && targets.asText().toLowerCase(Locale.ROOT).equals(ALL_LINEAR);
    JsonNode exclude = config.path("exclude_modules");
    return new PeftTargets(
        strings(file, "target_modules", targets.isTextual() ? null : targets),
        allLinear || !targets.isTextual() ? null : regex(file, "target_modules", targets.asText()),
        allLinear,
        strings(file, "exclude_modules", exclude.isTextual() ? null : exclude),
        exclude.isTextual() ? regex(file, "exclude_modules", exclude.asText()) : null,
        layers(file, config.path("layers_to_transform")),
        config.path("layers_pattern").isTextual()
            ? List.of(config.path("layers_pattern").asText())
            : strings(file, "layers_pattern", config.path("layers_pattern")),
        strings(file, "modules_to_save", config.path("modules_to_save")));
  }

  /** Whether PEFT puts a LoRA layer on {@code module}. */
  public boolean targets(String module) {
    if (excluded(module)) {
      return false;
    }
    if (allLinear) {
      return true;
    }
    if (targetRegex != null) {
      return targetRegex.matcher(module).matches();
    }
    boolean found = targetList.contains(module) || endsWithAny(module, targetList);
    if (found && !targetList.contains(module) && !layers.isEmpty()) {
      Integer layer = layerIndex(module);
      return layer != null && layers.contains(layer);
    }
    return found;
  }

  /**
   * Whether PEFT would have given the base's {@code module} factors of its own: a target it can
   * tell from the name (not "all-linear", which also needs the module's type).
   */
  public boolean expectsFactors(String module) {
    return !allLinear && targets(module);
  }

  /** target_modules as the config gives it, with what narrows it, for an error. */
  public String describeTargets() {
    if (allLinear) {
      return "target_modules '" + ALL_LINEAR + "'" + exclusions();
    }
    String what = targetRegex != null ? "'" + targetRegex.pattern() + "'" : targetList.toString();
    return "target_modules "
        + what
        + (layers.isEmpty() ? "" : " in layers " + layers)
        + exclusions();
  }

  private String exclusions() {
    String out = "";
    if (excludeRegex != null) {
      out += " less exclude_modules '" + excludeRegex.pattern() + "'";
    } else if (!excludeList.isEmpty()) {
      out += " less exclude_modules " + excludeList;
    }
    return modulesToSave.isEmpty() ? out : out + " less modules_to_save " + modulesToSave;
  }

  /**
   * The first of {@code keys} that names {@code module} (PEFT's {@code get_pattern_key}: the key, a
   * regular expression, matches the whole name or a dotted suffix of it), or null.
   */
  static String patternKey(Collection<String> keys, String module) {
    for (String key : keys) {
      try {
        if (Pattern.compile("(.*\\.)?(" + key + ")").matcher(module).matches()) {
          return key;
        }
      } catch (PatternSyntaxException e) {
        // PEFT's re.match would raise; a key that is no pattern names no module here
      }
    }
    return null;
  }

  private boolean excluded(String module) {
    if (excludeRegex != null && excludeRegex.matcher(module).matches()) {
      return true;
    }
    if (excludeList.contains(module) || endsWithAny(module, excludeList)) {
      return true;
    }
    // PEFT never puts an adapter inside a module it saves whole
    return modulesToSave.stream()
        .anyMatch(
            m ->
                Pattern.compile("(^|.*\\.)" + Pattern.quote(m) + "($|\\..*)")
                    .matcher(module)
                    .matches());
  }

  private Integer layerIndex(String module) {
    List<Pattern> patterns =
        layersPatterns.isEmpty()
            ? List.of(ANY_LAYER)
            : layersPatterns.stream()
                .map(p -> Pattern.compile("(?:^|.*?\\.)" + p + "\\.(\\d+)\\."))
                .toList();
    for (Pattern p : patterns) {
      Matcher m = p.matcher(module);
      if (m.lookingAt()) {
        return Integer.valueOf(m.group(1));
      }
    }
    return null;
  }

  private static boolean endsWithAny(String module, List<String> keys) {
    return keys.stream().anyMatch(k -> module.endsWith("." + k));
  }

  private static Pattern regex(String file, String what, String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw CheckpointException.of(
          file, "%s '%s' is not a valid regular expression: %s", what, regex, e.getDescription());
    }
  }

  private static List<String> strings(String file, String what, JsonNode node) {
    if (node == null || node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw CheckpointException.of(file, "%s is %s, not a list of module names", what, node);
    }
    List<String> out = new ArrayList<>();
    node.forEach(n -> out.add(n.asText()));
    return List.copyOf(out);
  }

  private static List<Integer> layers(String file, JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return List.of();
    }
    if (node.isInt()) {
      return List.of(node.asInt());
    }
    if (!node.isArray()) {
      throw CheckpointException.of(file, "layers_to_transform is %s, not layer indices", node);
    }
    List<Integer> out = new ArrayList<>();
    node.forEach(n -> out.add(n.asInt()));
    return List.copyOf(out);
  }
}
