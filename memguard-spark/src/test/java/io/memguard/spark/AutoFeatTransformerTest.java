package io.memguard.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.Formula;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transformer in Spark local mode against the in-process model: the partition path to the last
 * bit, the Catalyst path to the last bit where it uses the same operations and within 1e-12 where
 * Spark's {@code StrictMath} functions stand in for {@code Math}'s; NULLs, zeros, negatives and
 * NaNs included.
 */
class AutoFeatTransformerTest {
  private static SparkSession spark;
  private static MemoryManager memory;
  private static AutoFeatModel model;
  private static final String[] NAMES = {"x1", "x2", "x3"};

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("memguard-spark-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
    MemoryScope scope = memory.openScope("fit");
    model =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(2)
            .featureSelectionRuns(3)
            .build()
            .fit(scope, synthetic(3_000, 11));
    assertThat(model.formulas())
        .as("a model with work for both paths: %s", model.features())
        .anyMatch(f -> !sameOperations(f))
        .filteredOn(f -> !(f instanceof Formula.Input))
        .hasSizeGreaterThanOrEqualTo(3);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (model != null) {
      model.close();
    }
    if (memory != null) {
      memory.close();
    }
  }

  /** A formula of logarithms, powers, roots and quotients of three inputs, with noise. */
  static Dataset synthetic(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    double[][] x = new double[3][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double x1 = 0.5 + 4.5 * r.nextDouble();
      double x2 = -2 + 4 * r.nextDouble();
      double x3 = 0.5 + 2.5 * r.nextDouble();
      x[0][i] = x1;
      x[1][i] = x2;
      x[2][i] = x3;
      double t = x2 + Math.log(x1);
      y[i] = 2 + 15 * x1 + 3 / x3 + 5 * t * t + 4 * Math.sqrt(x3) * x2 + 0.01 * r.nextGaussian();
    }
    return Dataset.of(List.of(NAMES), x, y);
  }

  /** Test rows: fresh draws, then the values that test a formula's domain. */
  static double[][] testRows() {
    Dataset d = synthetic(2_000, 99);
    List<double[]> rows = new ArrayList<>();
    for (int i = 0; i < d.rows(); i++) {
      rows.add(new double[] {d.column("x1")[i], d.column("x2")[i], d.column("x3")[i]});
    }
    double[] odd = {0.0, -0.0, -1.5, 1e-300, 1e300, Double.NaN, Double.POSITIVE_INFINITY};
    for (double a : odd) {
      for (double b : odd) {
        rows.add(new double[] {a, b, 1.0});
        rows.add(new double[] {1.0, a, b});
      }
    }
    return rows.toArray(new double[0][]);
  }

  static org.apache.spark.sql.Dataset<Row> frame(double[][] rows, boolean withNulls) {
    StructType schema =
        new StructType()
            .add("id", DataTypes.LongType, false)
            .add("x1", DataTypes.DoubleType, true)
            .add("x2", DataTypes.DoubleType, true)
            .add("x3", DataTypes.DoubleType, true);
    List<Row> list = new ArrayList<>();
    for (int i = 0; i < rows.length; i++) {
      Object x1 = withNulls && i % 97 == 0 ? null : rows[i][0];
      list.add(RowFactory.create((long) i, x1, rows[i][1], rows[i][2]));
    }
    return spark.createDataFrame(list, schema).repartition(3);
  }

  /** Each value's bits, so that NaNs compare equal. */
  static long[][] bits(double[][] values) {
    long[][] out = new long[values.length][];
    for (int i = 0; i < values.length; i++) {
      out[i] = new long[values[i].length];
      for (int k = 0; k < values[i].length; k++) {
        out[i][k] = Double.doubleToLongBits(values[i][k]);
      }
    }
    return out;
  }

  /** The in-process features of the same rows (a NULL read as NaN), [row][feature]. */
  static double[][] expected(double[][] rows, boolean withNulls) {
    double[][] cols = new double[3][rows.length];
    for (int i = 0; i < rows.length; i++) {
      for (int j = 0; j < 3; j++) {
        cols[j][i] = rows[i][j];
      }
      if (withNulls && i % 97 == 0) {
        cols[0][i] = Double.NaN;
      }
    }
    double[][] byFeature = new double[model.features().size()][rows.length];
    model.transformInto(cols, rows.length, byFeature);
    double[][] byRow = new double[rows.length][byFeature.length];
    for (int k = 0; k < byFeature.length; k++) {
      for (int i = 0; i < rows.length; i++) {
        byRow[i][k] = byFeature[k][i];
      }
    }
    return byRow;
  }

  /** Whether Spark evaluates {@code f} with exactly the model's operations. */
  static boolean sameOperations(Formula f) {
    if (f instanceof Formula.Function fn) {
      return fn.name().equals("abs") && sameOperations(fn.argument());
    } else if (f instanceof Formula.Power p) {
      boolean simple =
          (p.denominator() == 1
                  && (p.numerator() == -1 || p.numerator() == 2 || p.numerator() == 3))
              || (p.denominator() == 2 && p.numerator() == 1);
      return simple && sameOperations(p.base());
    } else if (f instanceof Formula.Sum s) {
      return s.terms().stream().allMatch(AutoFeatTransformerTest::sameOperations);
    } else if (f instanceof Formula.Product p) {
      return p.factors().stream().allMatch(AutoFeatTransformerTest::sameOperations);
    }
    return true;
  }

  /** The features the transformer adds: those that are not an input column. */
  static int[] added() {
    return java.util.stream.IntStream.range(0, model.features().size())
        .filter(k -> !(model.formulas().get(k) instanceof Formula.Input))
        .toArray();
  }

  /** What {@link #collect} reads for a NULL: no feature the transformer adds may be NULL. */
  static final double NULL_SEEN = -12345.678;

  /** The model's features of each output row, by id, as [row][feature]. */
  static double[][] collect(org.apache.spark.sql.Dataset<Row> out, AutoFeatTransformer t, int n) {
    List<String> features = t.features();
    double[][] got = new double[n][features.size()];
    for (Row r : out.collectAsList()) {
      int i = (int) r.getLong(r.fieldIndex("id"));
      for (int k = 0; k < features.size(); k++) {
        String name = features.get(k);
        Object v = r.get(r.fieldIndex(name));
        got[i][k] = v == null ? NULL_SEEN : ((Number) v).doubleValue();
      }
    }
    return got;
  }

  @Test
  void partitions_giveTheModelsFeatures_toTheLastBit() {
    double[][] rows = testRows();
    AutoFeatTransformer t = AutoFeatTransformer.of(model).setEvaluation("partitions");
    org.apache.spark.sql.Dataset<Row> out = t.transform(frame(rows, true));
    assertThat(out.schema().fieldNames()).startsWith("id", "x1", "x2", "x3");
    double[][] got = collect(out, t, rows.length);
    double[][] want = expected(rows, true);
    for (int i = 0; i < rows.length; i++) {
      for (int k : added()) {
        assertThat(Double.doubleToLongBits(got[i][k]))
            .as("row %d feature %s", i, t.features().get(k))
            .isEqualTo(Double.doubleToLongBits(want[i][k]));
      }
    }
    assertThat(ExecutorMemory.manager().allocator().activeGrants())
        .as("each partition's grant closed at its end")
        .isEmpty();
  }

  @Test
  void catalyst_givesTheModelsFeatures_exactlyWhereItUsesTheSameOperations_else1e12() {
    double[][] rows = testRows();
    AutoFeatTransformer t = AutoFeatTransformer.of(model);
    assertThat(t.getEvaluation()).isEqualTo("catalyst");
    org.apache.spark.sql.Dataset<Row> out = t.transform(frame(rows, true));
    assertThat(out.queryExecution().executedPlan().toString()).doesNotContain("UDF");
    double[][] got = collect(out, t, rows.length);
    double[][] want = expected(rows, true);
    List<Formula> formulas = model.formulas();
    int exact = 0;
    for (int i = 0; i < rows.length; i++) {
      for (int k : added()) {
        double g = got[i][k];
        double w = want[i][k];
        String what = "row " + i + " feature " + t.features().get(k);
        if (sameOperations(formulas.get(k)) || Double.isNaN(w)) {
          assertThat(Double.doubleToLongBits(g)).as(what).isEqualTo(Double.doubleToLongBits(w));
        } else {
          assertThat(Math.abs(g - w))
              .as(what)
              .isLessThanOrEqualTo(1e-12 * Math.max(1, Math.abs(w)));
        }
        if (Double.doubleToLongBits(g) == Double.doubleToLongBits(w)) {
          exact++;
        }
      }
    }
    assertThat(exact).isGreaterThan(rows.length * added().length / 2);
  }

  @Test
  void persistence_roundTrip_alone_andInAPipeline(@TempDir Path dir) throws Exception {
    double[][] rows = testRows();
    AutoFeatTransformer t = AutoFeatTransformer.of(model).setEvaluation("partitions");
    t.write().overwrite().save(dir.resolve("alone").toString());
    AutoFeatTransformer read = AutoFeatTransformer.load(dir.resolve("alone").toString());
    assertThat(read.uid()).isEqualTo(t.uid());
    assertThat(read.getEvaluation()).isEqualTo("partitions");
    assertThat(read.features()).isEqualTo(t.features());
    assertThat(bits(collect(read.transform(frame(rows, false)), read, rows.length)))
        .isDeepEqualTo(bits(collect(t.transform(frame(rows, false)), t, rows.length)));

    PipelineModel fitted =
        new Pipeline()
            .setStages(new PipelineStage[] {AutoFeatTransformer.of(model)})
            .fit(frame(rows, false));
    fitted.write().overwrite().save(dir.resolve("pipeline").toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("pipeline").toString());
    assertThat(loaded.stages()[0]).isInstanceOf(AutoFeatTransformer.class);
    AutoFeatTransformer stage = (AutoFeatTransformer) loaded.stages()[0];
    assertThat(bits(collect(loaded.transform(frame(rows, false)), stage, rows.length)))
        .isDeepEqualTo(bits(collect(fitted.transform(frame(rows, false)), stage, rows.length)));
  }

  @Test
  void aMissingOrNonNumericInput_isRefused_namingTheColumn() {
    AutoFeatTransformer t = AutoFeatTransformer.of(model);
    StructType noX2 =
        new StructType().add("x1", DataTypes.DoubleType).add("x3", DataTypes.DoubleType);
    assertThatThrownBy(() -> t.transformSchema(noX2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the input column 'x2' the model reads is missing");
    StructType text =
        new StructType()
            .add("x1", DataTypes.DoubleType)
            .add("x2", DataTypes.StringType)
            .add("x3", DataTypes.DoubleType);
    assertThatThrownBy(() -> t.transformSchema(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'x2' is string");
    assertThatThrownBy(() -> t.setEvaluation("gpu")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theExecutorsBudget_isSparksUserMemory() {
    long heap = 4L << 30;
    assertThat(ExecutorMemory.budgetBytes(heap, 0.6))
        .isEqualTo((long) ((heap - (300L << 20)) * 0.4));
    assertThat(ExecutorMemory.budgetBytes(200L << 20, 0.6)).isEqualTo(16L << 20);
  }

  @Test
  void beforeSparkRuns_theFractionIsTheOneSparkSubmitPassesAsASystemProperty() {
    String before = System.getProperty("spark.memory.fraction");
    try {
      System.setProperty("spark.memory.fraction", "0.8");
      assertThat(ExecutorMemory.memoryFraction(null)).isEqualTo(0.8);
      assertThat(
              ExecutorMemory.memoryFraction(
                  new org.apache.spark.SparkConf(false).set("spark.memory.fraction", "0.5")))
          .as("a running Spark's own configuration comes first")
          .isEqualTo(0.5);
      System.clearProperty("spark.memory.fraction");
      assertThat(ExecutorMemory.memoryFraction(null)).isEqualTo(0.6);
    } finally {
      if (before == null) {
        System.clearProperty("spark.memory.fraction");
      } else {
        System.setProperty("spark.memory.fraction", before);
      }
    }
  }
}
