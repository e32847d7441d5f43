package io.deltascope.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.catalyst.analysis.CurrentNamespace$;
import org.apache.spark.sql.catalyst.analysis.PlanWithUnresolvedIdentifier;
import org.apache.spark.sql.catalyst.analysis.RelationTimeTravel;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedFunctionName;
import org.apache.spark.sql.catalyst.analysis.UnresolvedHaving;
import org.apache.spark.sql.catalyst.analysis.UnresolvedInlineTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedNamespace;
import org.apache.spark.sql.catalyst.analysis.UnresolvedRelation;
import org.apache.spark.sql.catalyst.analysis.UnresolvedSubqueryColumnAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTVFAliases;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTable;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableOrView;
import org.apache.spark.sql.catalyst.analysis.UnresolvedTableValuedFunction;
import org.apache.spark.sql.catalyst.analysis.UnresolvedView;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.PipeOperator;
import org.apache.spark.sql.catalyst.expressions.SubqueryExpression;
import org.apache.spark.sql.catalyst.parser.ParseException;
import org.apache.spark.sql.catalyst.parser.ParserInterface;
import org.apache.spark.sql.catalyst.plans.QueryPlan;
import org.apache.spark.sql.catalyst.plans.logical.Aggregate;
import org.apache.spark.sql.catalyst.plans.logical.DescribeColumn;
import org.apache.spark.sql.catalyst.plans.logical.DescribeFunction;
import org.apache.spark.sql.catalyst.plans.logical.DescribeNamespace;
import org.apache.spark.sql.catalyst.plans.logical.DescribeRelation;
import org.apache.spark.sql.catalyst.plans.logical.Distinct;
import org.apache.spark.sql.catalyst.plans.logical.Except;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Generate;
import org.apache.spark.sql.catalyst.plans.logical.GlobalLimit;
import org.apache.spark.sql.catalyst.plans.logical.Intersect;
import org.apache.spark.sql.catalyst.plans.logical.Join;
import org.apache.spark.sql.catalyst.plans.logical.LateralJoin;
import org.apache.spark.sql.catalyst.plans.logical.LimitAll;
import org.apache.spark.sql.catalyst.plans.logical.LocalLimit;
import org.apache.spark.sql.catalyst.plans.logical.LocalRelation;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Offset;
import org.apache.spark.sql.catalyst.plans.logical.OneRowRelation;
import org.apache.spark.sql.catalyst.plans.logical.Pivot;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.catalyst.plans.logical.RepartitionByExpression;
import org.apache.spark.sql.catalyst.plans.logical.Sample;
import org.apache.spark.sql.catalyst.plans.logical.ShowColumns;
import org.apache.spark.sql.catalyst.plans.logical.ShowCreateTable;
import org.apache.spark.sql.catalyst.plans.logical.ShowFunctions;
import org.apache.spark.sql.catalyst.plans.logical.ShowPartitions;
import org.apache.spark.sql.catalyst.plans.logical.ShowTableProperties;
import org.apache.spark.sql.catalyst.plans.logical.ShowTables;
import org.apache.spark.sql.catalyst.plans.logical.ShowTablesExtended;
import org.apache.spark.sql.catalyst.plans.logical.ShowViews;
import org.apache.spark.sql.catalyst.plans.logical.Sort;
import org.apache.spark.sql.catalyst.plans.logical.SubqueryAlias;
import org.apache.spark.sql.catalyst.plans.logical.Tail;
import org.apache.spark.sql.catalyst.plans.logical.Union;
import org.apache.spark.sql.catalyst.plans.logical.Unpivot;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedHint;
import org.apache.spark.sql.catalyst.plans.logical.UnresolvedWith;
import org.apache.spark.sql.catalyst.plans.logical.WithWindowDefinition;
import org.apache.spark.sql.execution.command.DescribeQueryCommand;
import org.apache.spark.sql.execution.command.ExplainCommand;
import org.apache.spark.sql.execution.command.ShowCatalogsCommand;
import org.apache.spark.sql.execution.command.ShowCurrentNamespaceCommand;
import org.apache.spark.sql.execution.command.ShowNamespacesCommand;
import scala.jdk.javaapi.CollectionConverters;

/**
 * What {@code sql} runs, by the exact class of every node of Spark's parsed plan: an allowlist, so
 * a node Spark adds is refused until it is known to be a read ({@code PlanAllowlistTest} classifies
 * every logical plan class on the class path). A query is relational operators over the store: its
 * views by name (a one-part name, which may also be a common table expression), its tables by Delta
 * path (what time travel reads), rows the query writes out ({@code VALUES}) and table-valued
 * functions that only compute rows ({@code range}, {@code explode}, ...). Script transformation
 * ({@code TRANSFORM}, {@code MAP}, {@code REDUCE ... USING}) runs a program and a path-based source
 * ({@code text.`/etc/passwd`}, {@code parquet.`...`}) reads any file: neither is on the list. SHOW
 * and DESCRIBE list the catalog by name; EXPLAIN and DESCRIBE QUERY are checked as their query.
 */
final class PlanAllowlist {
  static final String QUERIES_ONLY =
      "sql runs queries only (SELECT, WITH, SHOW, DESCRIBE, EXPLAIN)";
  static final String STORE_ONLY = "sql reads the store's tables only";

  /** Relational operators: rows from their children's rows and their own expressions. */
  static final Set<Class<?>> OPERATORS =
      Set.of(
          Project.class,
          Filter.class,
          Aggregate.class,
          UnresolvedHaving.class,
          Join.class,
          LateralJoin.class,
          Union.class,
          Intersect.class,
          Except.class,
          Distinct.class,
          Sort.class,
          GlobalLimit.class,
          LocalLimit.class,
          LimitAll.class,
          Offset.class,
          Tail.class,
          SubqueryAlias.class,
          UnresolvedWith.class,
          WithWindowDefinition.class,
          Generate.class,
          Pivot.class,
          Unpivot.class,
          Sample.class,
          RepartitionByExpression.class,
          UnresolvedHint.class,
          UnresolvedSubqueryColumnAliases.class,
          UnresolvedTVFAliases.class,
          PipeOperator.class);

  /** Rows the query writes out itself. */
  static final Set<Class<?>> CONSTANT_RELATIONS =
      Set.of(LocalRelation.class, OneRowRelation.class, UnresolvedInlineTable.class);

  /** Relations by name: allowed where the name is the store's ({@link #relationName}). */
  static final Set<Class<?>> NAMED_RELATIONS =
      Set.of(
          UnresolvedRelation.class,
          RelationTimeTravel.class,
          PlanWithUnresolvedIdentifier.class,
          UnresolvedTableValuedFunction.class);

  /** SHOW and DESCRIBE: the catalog's names, a view's columns, a function's documentation. */
  static final Set<Class<?>> METADATA_STATEMENTS =
      Set.of(
          ShowTables.class,
          ShowTablesExtended.class,
          ShowViews.class,
          ShowColumns.class,
          ShowFunctions.class,
          ShowTableProperties.class,
          ShowCreateTable.class,
          ShowPartitions.class,
          ShowNamespacesCommand.class,
          ShowCatalogsCommand.class,
          ShowCurrentNamespaceCommand.class,
          DescribeRelation.class,
          DescribeColumn.class,
          DescribeFunction.class,
          DescribeNamespace.class);

  /** What a SHOW or DESCRIBE names (a table's name is checked as a relation's). */
  static final Set<Class<?>> METADATA_TARGETS =
      Set.of(
          UnresolvedTableOrView.class,
          UnresolvedTable.class,
          UnresolvedView.class,
          UnresolvedNamespace.class,
          CurrentNamespace$.class,
          UnresolvedFunctionName.class,
          PlanWithUnresolvedIdentifier.class);

  /** Statements that hold a query and run none of it: checked as the query. */
  static final Set<Class<?>> QUERY_STATEMENTS =
      Set.of(ExplainCommand.class, DescribeQueryCommand.class);

  /** Spark's table-valued functions that compute rows from their arguments and read nothing. */
  static final Set<String> VALUE_FUNCTIONS =
      Set.of(
          "range",
          "explode",
          "explode_outer",
          "inline",
          "inline_outer",
          "posexplode",
          "posexplode_outer",
          "json_tuple",
          "stack",
          "sql_keywords",
          "variant_explode",
          "variant_explode_outer",
          "collations");

  private static final Set<String> JVM_FUNCTIONS = Set.of("reflect", "java_method", "try_reflect");
  private static final String DELTA = "delta";

  private final ParserInterface parser;
  private final Set<String> storePaths;

  /**
   * @param parser Spark's, to read the name an {@code IDENTIFIER(...)} gives
   * @param storePaths the store's tables' paths, as time travel names them ({@code delta.`PATH`})
   */
  PlanAllowlist(ParserInterface parser, Set<String> storePaths) {
    this.parser = parser;
    this.storePaths = storePaths;
  }

  /** Refuses, with a {@link UsageException}, a statement that is not a read of the store. */
  void check(LogicalPlan plan) {
    if (plan instanceof ExplainCommand explain) {
      check(explain.logicalPlan());
    } else if (plan instanceof DescribeQueryCommand describe) {
      query(describe.plan());
    } else if (METADATA_STATEMENTS.contains(plan.getClass())) {
      children(plan).forEach(this::metadataTarget);
      expressions(plan).forEach(this::expression);
    } else {
      query(plan);
    }
  }

  private void metadataTarget(LogicalPlan plan) {
    if (!METADATA_TARGETS.contains(plan.getClass())) {
      throw refused(plan);
    }
    if (plan instanceof PlanWithUnresolvedIdentifier identifier) {
      metadataTarget(named(identifier));
    } else if (plan instanceof UnresolvedTableOrView t) {
      relationName(asJava(t.multipartIdentifier()));
    } else if (plan instanceof UnresolvedTable t) {
      relationName(asJava(t.multipartIdentifier()));
    } else if (plan instanceof UnresolvedView v) {
      relationName(asJava(v.multipartIdentifier()));
    }
  }

  /** Every node of a query, its common table expressions and subqueries included. */
  private void query(LogicalPlan plan) {
    Class<?> kind = plan.getClass();
    if (plan instanceof UnresolvedRelation relation) {
      relation(relation);
    } else if (plan instanceof RelationTimeTravel travel) {
      query(travel.relation()); // a field, not a child
      if (travel.timestamp().isDefined()) {
        expression(travel.timestamp().get());
      }
    } else if (plan instanceof PlanWithUnresolvedIdentifier identifier) {
      query(named(identifier));
    } else if (plan instanceof UnresolvedTableValuedFunction function) {
      tableFunction(function);
    } else if (!OPERATORS.contains(kind) && !CONSTANT_RELATIONS.contains(kind)) {
      throw refused(plan);
    }
    expressions(plan).forEach(this::expression);
    children(plan).forEach(this::query);
  }

  private void relation(UnresolvedRelation relation) {
    if (relation.isStreaming() || !relation.options().isEmpty()) {
      throw new UsageException(
          STORE_ONLY + "; refused: options or STREAM on " + relation.tableName());
    }
    relationName(asJava(relation.multipartIdentifier()));
  }

  /**
   * A one-part name (a view of the store or a common table expression; any other is not found) or
   * {@code delta.`PATH`} of one of the store's tables; nothing another catalog or a file source
   * reads.
   */
  private void relationName(List<String> parts) {
    boolean view = parts.size() == 1;
    boolean storeTable =
        parts.size() == 2
            && parts.get(0).equalsIgnoreCase(DELTA)
            && storePaths.contains(parts.get(1));
    if (!view && !storeTable) {
      throw new UsageException(STORE_ONLY + "; refused: " + quoted(parts));
    }
  }

  private void tableFunction(UnresolvedTableValuedFunction function) {
    List<String> name = asJava(function.name());
    if (name.size() != 1 || !VALUE_FUNCTIONS.contains(name.get(0).toLowerCase(Locale.ROOT))) {
      throw new UsageException(
          STORE_ONLY
              + "; refused: the table-valued function "
              + String.join(".", name)
              + " (allowed: "
              + VALUE_FUNCTIONS.stream().sorted().collect(Collectors.joining(", "))
              + ")");
    }
  }

  /**
   * The plan an {@code IDENTIFIER(...)} stands for, built as Spark's analyser builds it, from a
   * constant name; a name known only when the query runs is refused, since it cannot be checked.
   */
  private LogicalPlan named(PlanWithUnresolvedIdentifier identifier) {
    Expression name = identifier.identifierExpr();
    expression(name);
    if (!name.resolved() || !name.foldable()) {
      throw new UsageException(
          QUERIES_ONLY + "; refused: IDENTIFIER(" + name.sql() + "), not a constant name");
    }
    Object value = name.eval(null);
    List<String> parts;
    try {
      parts = asJava(parser.parseMultipartIdentifier(String.valueOf(value)));
    } catch (ParseException e) {
      throw new UsageException("query: " + Errors.oneLine(e));
    }
    return identifier
        .planBuilder()
        .apply(CollectionConverters.asScala(parts).toList(), identifier.children());
  }

  private void expression(Expression expression) {
    if (expression instanceof UnresolvedFunction f) {
      List<String> parts = asJava(f.nameParts());
      String function = parts.get(parts.size() - 1).toLowerCase(Locale.ROOT);
      if (JVM_FUNCTIONS.contains(function)) {
        throw new UsageException(refusedFunction(function));
      }
    }
    if (expression instanceof SubqueryExpression subquery) {
      query(subquery.plan());
    }
    for (Object child : CollectionConverters.asJava(expression.children())) {
      expression((Expression) child);
    }
  }

  static String refusedFunction(String function) {
    return QUERIES_ONLY + "; refused: " + function + "(), which calls Java methods";
  }

  private static UsageException refused(LogicalPlan plan) {
    return new UsageException(QUERIES_ONLY + "; refused: " + plan.nodeName());
  }

  private static String quoted(List<String> parts) {
    return parts.stream()
        .map(p -> "`" + p.replace("`", "``") + "`")
        .collect(Collectors.joining("."));
  }

  /** Children and inner children (a WITH's common table expressions are inner children). */
  static List<LogicalPlan> children(LogicalPlan plan) {
    List<LogicalPlan> all = new ArrayList<>();
    for (Object child : CollectionConverters.asJava(plan.children())) {
      all.add((LogicalPlan) child);
    }
    for (QueryPlan<?> inner : CollectionConverters.asJava(plan.innerChildren())) {
      if (inner instanceof LogicalPlan logical) {
        all.add(logical);
      }
    }
    return all;
  }

  static List<Expression> expressions(LogicalPlan plan) {
    return CollectionConverters.asJava(plan.expressions());
  }

  private static List<String> asJava(scala.collection.Seq<String> parts) {
    return CollectionConverters.asJava(parts);
  }
}
