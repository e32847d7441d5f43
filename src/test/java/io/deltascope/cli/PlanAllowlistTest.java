package io.deltascope.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.ScriptTransformation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The allowlist against Spark's own grammar: every logical plan class of Spark and Delta on the
 * class path is allowed (a read), a Command (refused), or on the reviewed list of refused nodes, so
 * a node a new Spark adds fails this test until someone classifies it.
 */
class PlanAllowlistTest {
  private static Set<String> planClasses;
  private static Set<String> reviewedRefusals;

  @BeforeAll
  static void classes() throws IOException {
    planClasses = LogicalPlanClasses.onClassPath();
    try (InputStream in = PlanAllowlistTest.class.getResourceAsStream("refused-plan-nodes.txt")) {
      reviewedRefusals =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .map(String::strip)
              .filter(line -> !line.isEmpty() && !line.startsWith("#"))
              .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  /** The nodes a read may hold: none runs a command, each is a relational operator or a name. */
  private static Set<Class<?>> readNodes() {
    Set<Class<?>> nodes = new HashSet<>();
    nodes.addAll(PlanAllowlist.OPERATORS);
    nodes.addAll(PlanAllowlist.CONSTANT_RELATIONS);
    nodes.addAll(PlanAllowlist.NAMED_RELATIONS);
    nodes.addAll(PlanAllowlist.METADATA_TARGETS);
    return nodes;
  }

  private static Set<Class<?>> statements() {
    Set<Class<?>> statements = new HashSet<>(PlanAllowlist.METADATA_STATEMENTS);
    statements.addAll(PlanAllowlist.QUERY_STATEMENTS);
    return statements;
  }

  @Test
  void findsSparksLogicalPlanClasses() {
    assertThat(planClasses)
        .hasSizeGreaterThan(300)
        .contains(
            ScriptTransformation.class.getName(),
            "org.apache.spark.sql.execution.datasources.LogicalRelation",
            "org.apache.spark.sql.delta.commands.DescribeDeltaHistory");
  }

  @Test
  void everyLogicalPlanClassIsAllowedOrRefused() throws ClassNotFoundException {
    Set<String> unclassified = new TreeSet<>();
    for (String name : planClasses) {
      Class<?> node = Class.forName(name, false, getClass().getClassLoader());
      boolean concrete =
          !node.isInterface() && !java.lang.reflect.Modifier.isAbstract(node.getModifiers());
      boolean allowed = readNodes().contains(node) || statements().contains(node);
      boolean refused =
          (Command.class.isAssignableFrom(node) && !statements().contains(node))
              || reviewedRefusals.contains(name);
      if (concrete && allowed == refused) {
        unclassified.add(name + (allowed ? " (allowed and refused)" : ""));
      }
    }
    assertThat(unclassified)
        .as("allow on PlanAllowlist, or add to refused-plan-nodes.txt")
        .isEmpty();
  }

  @Test
  void theReviewedRefusalsAreSparkClassesThatRunNoCommand() {
    assertThat(planClasses).containsAll(reviewedRefusals);
    assertThat(reviewedRefusals).contains(ScriptTransformation.class.getName());
  }

  @Test
  void allowedNodesAreOnTheClassPathAndNoneRunsACommand() {
    for (Class<?> node : readNodes()) {
      assertThat(planClasses).as(node.getName()).contains(node.getName());
      assertThat(Command.class.isAssignableFrom(node)).as(node.getName()).isFalse();
    }
    // the statements are commands that list metadata or wrap a query they do not run
    for (Class<?> statement : statements()) {
      assertThat(Command.class.isAssignableFrom(statement)).as(statement.getName()).isTrue();
      assertThat(statement.getSimpleName()).matches("(Show|Describe|Explain).*");
    }
  }
}
