package io.deltascope.cli;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.analysis.PlanWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.expressions.CallMethodViaReflection;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.plans.logical.Command;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.ParsedStatement;
import org.apache.spark.sql.execution.command.ExplainCommand;
import scala.jdk.javaapi.CollectionConverters;

/**
 * {@code sql} is a reader of the store, as a read-only transaction is: a statement runs only when
 * every node of Spark's parsed plan is on {@link PlanAllowlist} (a query of the store's tables:
 * SELECT, WITH, VALUES, time travel with {@code VERSION AS OF} / {@code TIMESTAMP AS OF}; a SHOW or
 * DESCRIBE; an EXPLAIN of one); nothing in it writes, runs a command or a program, reads a file
 * outside the store, or calls a function that reaches into the JVM ({@code reflect}, {@code
 * java_method}, {@code try_reflect}). The plan is checked before Spark runs anything, and the
 * analysed plan again before a row is read (a function named through {@code IDENTIFIER(...)} is
 * only known there).
 */
final class ReadOnlyQuery {
  private ReadOnlyQuery() {}

  /**
   * The query's rows, once its plan is known to read only the store ({@link PlanAllowlist}, given
   * the paths of the store's tables); a {@link UsageException} if not. Before Spark analyses it,
   * {@code tables} is given the names of the tables it reads ({@link #tablesRead}), so that only
   * those need be resolved.
   */
  static Dataset<Row> run(
      SparkSession spark,
      String query,
      Set<String> storePaths,
      Consumer<Optional<Set<String>>> tables) {
    LogicalPlan parsed = parse(spark, query);
    new PlanAllowlist(spark.sessionState().sqlParser(), storePaths).check(parsed);
    tables.accept(tablesRead(parsed));
    Dataset<Row> rows = spark.sql(query); // analysed, not run: queries are lazy
    checkAnalysed(rows.queryExecution().analyzed());
    return rows;
  }

  private static LogicalPlan parse(SparkSession spark, String query) {
    try {
      return spark.sessionState().sqlParser().parsePlan(query);
    } catch (ParseException e) {
      throw new UsageException("query: " + firstLine(e.getMessage()));
    }
  }

  /**
   * The unqualified names (lower case) of the tables a checked statement reads, from its parsed
   * plan: its subqueries' and common table expressions' included. Empty where the statement is not
   * a query whose tables are all named plainly (SHOW TABLES, DESCRIBE, {@code IDENTIFIER(...)}): it
   * may read any table.
   */
  static Optional<Set<String>> tablesRead(LogicalPlan plan) {
    if (plan instanceof ExplainCommand explain) {
      return tablesRead(explain.logicalPlan());
    }
    Set<String> names = new TreeSet<>();
    return collectTables(plan, names) ? Optional.of(names) : Optional.empty();
  }

  /** Adds the tables the plan names; false where it may read tables it does not name. */
  private static boolean collectTables(LogicalPlan plan, Set<String> names) {
    if (plan instanceof Command
        || plan instanceof ParsedStatement
        || plan instanceof PlanWithUnresolvedIdentifier) {
      return false;
    }
    if (plan instanceof UnresolvedRelation relation) {
      List<String> parts = CollectionConverters.asJava(relation.multipartIdentifier());
      if (parts.size() == 1) {
        names.add(parts.get(0).toLowerCase(Locale.ROOT));
      }
    }
    for (Expression e : expressions(plan)) {
      if (!collectTables(e, names)) {
        return false;
      }
    }
    return children(plan).stream().allMatch(child -> collectTables(child, names));
  }

  private static boolean collectTables(Expression expression, Set<String> names) {
    if (expression instanceof SubqueryExpression subquery
        && !collectTables(subquery.plan(), names)) {
      return false;
    }
    for (Object child : CollectionConverters.asJava(expression.children())) {
      if (!collectTables((Expression) child, names)) {
        return false;
      }
    }
    return true;
  }

  private static void checkAnalysed(LogicalPlan plan) {
    for (Expression e : expressions(plan)) {
      checkResolved(e);
    }
    children(plan).forEach(ReadOnlyQuery::checkAnalysed);
  }

  private static void checkResolved(Expression expression) {
    if (expression instanceof CallMethodViaReflection) {
      throw new UsageException(PlanAllowlist.refusedFunction(expression.prettyName()));
    }
    if (expression instanceof SubqueryExpression subquery) {
      checkAnalysed(subquery.plan());
    }
    for (Object child : CollectionConverters.asJava(expression.children())) {
      checkResolved((Expression) child);
    }
  }

  private static List<LogicalPlan> children(LogicalPlan plan) {
    return PlanAllowlist.children(plan);
  }

  private static List<Expression> expressions(LogicalPlan plan) {
    return PlanAllowlist.expressions(plan);
  }

  private static String firstLine(String message) {
    return message.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse("");
  }
}
