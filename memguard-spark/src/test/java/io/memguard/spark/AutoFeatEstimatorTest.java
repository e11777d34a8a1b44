package io.memguard.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.FinalModelSums;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The estimator in local mode against in-process fits on the same rows. */
class AutoFeatEstimatorTest {
  private static SparkSession spark;
  private static MemoryManager memory;

  @BeforeAll
  static void start() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("memguard-spark-estimator-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate();
    memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
    if (memory != null) {
      memory.close();
    }
  }

  /**
   * {@code data}'s rows in order in {@code slices} partitions, with a NULL and a NaN row to leave
   * out.
   */
  static org.apache.spark.sql.Dataset<Row> ordered(Dataset data, int slices) {
    StructType schema =
        new StructType()
            .add("x1", DataTypes.DoubleType, true)
            .add("x2", DataTypes.DoubleType, true)
            .add("x3", DataTypes.DoubleType, true)
            .add("y", DataTypes.DoubleType, true);
    List<Row> rows = new ArrayList<>();
    rows.add(RowFactory.create(null, 1.0, 1.0, 3.0));
    for (int i = 0; i < data.rows(); i++) {
      rows.add(
          RowFactory.create(
              data.column("x1")[i], data.column("x2")[i], data.column("x3")[i], data.target()[i]));
    }
    rows.add(RowFactory.create(1.0, Double.NaN, 1.0, 3.0));
    return spark.createDataFrame(
        new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext())
            .parallelize(rows, slices),
        schema);
  }

  @Test
  void aSampleOfEveryRow_givesTheInProcessFit_toTheLastBit() {
    Dataset data = AutoFeatTransformerTest.synthetic(1_500, 5);
    AutoFeatTransformer t =
        new AutoFeatEstimator().setLabelCol("y").setSeed(7).fit(ordered(data, 3));
    try (MemoryScope scope = memory.openScope("in-process");
        AutoFeatModel inProcess =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .seed(7)
                .build()
                .fit(scope, data);
        AutoFeatModel spark = t.loadModel(scope)) {
      assertThat(spark.features()).isEqualTo(inProcess.features());
      assertThat(spark.coefficients()).isDeepEqualTo(inProcess.coefficients());
      assertThat(spark.intercepts()).containsExactly(inProcess.intercepts());
      assertThat(spark.rows().finalModelRows()).isEqualTo(1_500);
    }
  }

  @Test
  void featureEngineeringCols_areThoseOfTheInProcessFit() {
    Dataset data = AutoFeatTransformerTest.synthetic(1_000, 6);
    AutoFeatEstimator estimator =
        new AutoFeatEstimator().setLabelCol("y").setFeatureEngineeringCols("x1", "x2");
    assertThat((String[]) estimator.getOrDefault(estimator.featureEngineeringCols()))
        .containsExactly("x1", "x2");
    AutoFeatTransformer t = estimator.fit(ordered(data, 2));
    try (MemoryScope scope = memory.openScope("feateng-cols");
        AutoFeatModel inProcess =
            AutoFeatProcessor.builder()
                .featureEngineeringColumns(List.of("x1", "x2"))
                .build()
                .fit(scope, data);
        AutoFeatModel spark = t.loadModel(scope)) {
      assertThat(spark.features()).isEqualTo(inProcess.features());
      assertThat(spark.coefficients()).isDeepEqualTo(inProcess.coefficients());
      for (String f : spark.features()) {
        assertThat(f.equals("x3") || !f.contains("x3")).as(f).isTrue();
      }
    }
    AutoFeatEstimator wrong =
        new AutoFeatEstimator().setLabelCol("y").setFeatureEngineeringCols("x9");
    assertThatThrownBy(() -> wrong.transformSchema(ordered(data, 1).schema()))
        .hasMessageContaining("featureEngineeringCols names 'x9'")
        .hasMessageContaining("[x1, x2, x3]");
  }

  @Test
  void units_andThePiTheorem_areThoseOfTheInProcessFit() {
    Dataset data = AutoFeatTransformerTest.synthetic(1_000, 8);
    AutoFeatEstimator estimator =
        new AutoFeatEstimator().setLabelCol("y").setUnits("x1=m", "x2=s", "x3 = m/s");
    AutoFeatTransformer t = estimator.fit(ordered(data, 2));
    try (MemoryScope scope = memory.openScope("units");
        AutoFeatModel inProcess =
            AutoFeatProcessor.builder()
                .units(java.util.Map.of("x1", "m", "x2", "s", "x3", "m/s"))
                .build()
                .fit(scope, data);
        AutoFeatModel spark = t.loadModel(scope)) {
      assertThat(inProcess.report().decisions())
          .anyMatch(d -> d.startsWith("Pi theorem: 1 dimensionless start features"));
      assertThat(spark.features()).isEqualTo(inProcess.features());
      assertThat(spark.coefficients()).isDeepEqualTo(inProcess.coefficients());
      for (String f : spark.features()) {
        assertThat(f).doesNotContain("log(x").doesNotContain("exp(x");
      }
    }
    assertThatThrownBy(
            () ->
                new AutoFeatEstimator()
                    .setLabelCol("y")
                    .setUnits("x9=m")
                    .transformSchema(ordered(data, 1).schema()))
        .hasMessageContaining("units names 'x9'");
    assertThatThrownBy(
            () ->
                new AutoFeatEstimator()
                    .setLabelCol("y")
                    .setUnits("x1:m")
                    .transformSchema(ordered(data, 1).schema()))
        .hasMessageContaining("column=unit entries");
  }

  @Test
  void aSample_searches_andTheFinalModelUsesEveryRow_asAnInProcessRefitOnTheSameRows() {
    int n = 20_000;
    Dataset data = AutoFeatTransformerTest.synthetic(n, 8);
    AutoFeatTransformer t =
        new AutoFeatEstimator()
            .setLabelCol("y")
            .setMaxSampleRows(1_000)
            .setEvaluation("partitions")
            .fit(ordered(data, 4));
    assertThat(t.getEvaluation()).isEqualTo("partitions");
    try (MemoryScope scope = memory.openScope("refit");
        AutoFeatModel spark = t.loadModel(scope)) {
      assertThat(spark.rows().sampleRows()).isLessThanOrEqualTo(1_000);
      assertThat(spark.rows().finalModelRows() + spark.rows().skippedRows()).isEqualTo(n);
      assertThat(spark.report().decisions())
          .anyMatch(d -> d.startsWith("final model: refitted on all"));

      Dataset head = data.rows(java.util.stream.IntStream.range(0, 500).toArray());
      FinalModelSums sums = FinalModelSums.forModel(spark, n, spark.transform(head), head.rows());
      double[][] all = new double[spark.features().size()][n];
      double[][] in = new double[3][];
      for (int j = 0; j < 3; j++) {
        in[j] = data.column(spark.inputNames().get(j));
      }
      spark.transformInto(in, n, all);
      sums.add(0, all, data.target(), n);
      try (AutoFeatModel local = sums.refit(spark, scope)) {
        double[] a = spark.coefficients()[0];
        double[] b = local.coefficients()[0];
        for (int k = 0; k < a.length; k++) {
          assertThat(a[k])
              .as("coefficient of %s", spark.features().get(k))
              .isCloseTo(
                  b[k], org.assertj.core.api.Assertions.within(1e-8 * Math.max(1, Math.abs(b[k]))));
        }
        assertThat(spark.intercepts()[0])
            .isCloseTo(
                local.intercepts()[0],
                org.assertj.core.api.Assertions.within(
                    1e-8 * Math.max(1, Math.abs(local.intercepts()[0]))));
      }
    }
  }

  @Test
  void persistence_andPipelines(@TempDir Path dir) throws Exception {
    AutoFeatEstimator e =
        new AutoFeatEstimator().setLabelCol("y").setFeatureEngineeringSteps(1).setSeed(3);
    e.write().overwrite().save(dir.resolve("estimator").toString());
    AutoFeatEstimator read = AutoFeatEstimator.load(dir.resolve("estimator").toString());
    assertThat(read.uid()).isEqualTo(e.uid());
    assertThat(read.getFeatureEngineeringSteps()).isEqualTo(1);

    Dataset data = AutoFeatTransformerTest.synthetic(800, 9);
    PipelineModel fitted =
        new Pipeline().setStages(new PipelineStage[] {read}).fit(ordered(data, 2));
    fitted.write().overwrite().save(dir.resolve("fitted").toString());
    PipelineModel loaded = PipelineModel.load(dir.resolve("fitted").toString());
    assertThat(((AutoFeatTransformer) loaded.stages()[0]).features())
        .isEqualTo(((AutoFeatTransformer) fitted.stages()[0]).features());

    assertThatThrownBy(() -> new AutoFeatEstimator().setLabelCol("nope").fit(ordered(data, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the column 'nope' is missing");
    assertThatThrownBy(
            () ->
                new AutoFeatEstimator()
                    .setLabelCol("species")
                    .fit(ordered(data, 1).withColumn("species", functions.lit("setosa"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("the column 'species' is string")
        .hasMessageContaining("StringIndexer");
  }
}
