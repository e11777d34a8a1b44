package io.memguard.spark;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.isnan;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.FinalModelSums;
import io.memguard.autofeat.ProblemType;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.spark.internal.PartitionSums;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Estimator} that fits AutoFeat on a DataFrame larger than the driver and gives
 * an {@link AutoFeatTransformer}:
 *
 * <ol>
 *   <li>rows with a NULL, NaN or infinite input or label are left out (counted in the model's
 *       report);
 *   <li>the search (feature generation and selection) runs on the driver, on a seeded sample sized
 *       from the driver's memguard budget ({@link ExecutorMemory}: 1/256 of what the driver's scope
 *       has, as the in-process streamed fit takes it, at most {@code maxSampleRows});
 *   <li>for regression, the final model's sufficient statistics ({@link FinalModelSums}: per fold,
 *       the selected features' cross-products) are summed on the executors over every row and
 *       merged by a tree aggregate, so the coefficients use all rows; a classifier keeps the
 *       sample's final model (its likelihood has no sufficient statistics: an in-process streamed
 *       fit refits it in several Newton passes over the file, which this estimator does not run).
 * </ol>
 *
 * <p>What crosses the network: the sample to the driver (rows times columns doubles), the model's
 * text to the executors (a few kilobytes), one {@code FinalModelSums} per partition back (a few
 * kilobytes each). The folds of the final model's cross-validation are contiguous ranges of row
 * positions ({@code zipWithIndex}, one extra pass that counts each partition).
 *
 * <p>Parameters: {@code labelCol} (default {@code label}), {@code inputCols} (default every other
 * numeric column), {@code featureEngineeringCols} (the input columns feature engineering starts
 * from, autofeat's {@code feateng_cols}; default every input column), {@code units} (autofeat's
 * {@code units}, as {@code column=unit} entries such as {@code "v=m/s"}; default none) and {@code
 * applyPiTheorem} (default true), {@code featureEngineeringSteps} (default 2), {@code seed}
 * (default 0), {@code maxSampleRows} (default 100,000), {@code problem} ({@code regression} or
 * {@code classification}), {@code evaluation} of the transformer it gives (default {@code
 * catalyst}). Writable and readable with Spark ML persistence. Not thread-safe while its parameters
 * change.
 *
 * @since 0.1.0
 */
public final class AutoFeatEstimator extends Estimator<AutoFeatTransformer>
    implements DefaultParamsWritable {
  private static final long serialVersionUID = 1L;

  /** The share of the driver's room the sample may take, as the in-process streamed fit. */
  private static final int SAMPLE_SHARE = 256;

  private final String uid;
  private final Param<String> labelCol;
  private final StringArrayParam inputCols;
  private final StringArrayParam featureEngineeringCols;
  private final StringArrayParam units;
  private final org.apache.spark.ml.param.BooleanParam applyPiTheorem;
  private final IntParam featureEngineeringSteps;
  private final LongParam seed;
  private final IntParam maxSampleRows;
  private final Param<String> problem;
  private final Param<String> evaluation;

  /** An estimator with a random uid. */
  public AutoFeatEstimator() {
    this(Identifiable$.MODULE$.randomUID("autofeatEstimator"));
  }

  /** An estimator with {@code uid} (Spark ML persistence uses this constructor). */
  public AutoFeatEstimator(String uid) {
    this.uid = Objects.requireNonNull(uid, "uid");
    labelCol = new Param<>(this, "labelCol", "the target column (numeric)");
    inputCols =
        new StringArrayParam(
            this, "inputCols", "the input columns (numeric); empty: every other numeric column");
    featureEngineeringCols =
        new StringArrayParam(
            this,
            "featureEngineeringCols",
            "the input columns feature engineering starts from; the others compete as they are;"
                + " empty: every input column");
    units =
        new StringArrayParam(
            this,
            "units",
            "the physical unit of input columns as column=unit entries, such as v=m/s; a column"
                + " not named is dimensionless; empty: no unit checks");
    applyPiTheorem =
        new org.apache.spark.ml.param.BooleanParam(
            this,
            "applyPiTheorem",
            "with units: add the Pi theorem's dimensionless groups as input features");
    featureEngineeringSteps =
        new IntParam(
            this,
            "featureEngineeringSteps",
            "steps of feature generation (1 to 3)",
            ParamValidators.inRange(1, 3));
    seed = new LongParam(this, "seed", "the seed of the sample and of the search");
    maxSampleRows =
        new IntParam(
            this,
            "maxSampleRows",
            "the most rows the search's sample may have",
            ParamValidators.gtEq(10));
    problem =
        new Param<>(
            this,
            "problem",
            "'regression' or 'classification'",
            ParamValidators.inArray(new String[] {"regression", "classification"}));
    evaluation =
        new Param<>(
            this,
            "evaluation",
            "the evaluation of the transformer the fit gives: 'catalyst' or 'partitions'",
            ParamValidators.inArray(
                new String[] {AutoFeatTransformer.CATALYST, AutoFeatTransformer.PARTITIONS}));
    setDefault(labelCol, "label");
    setDefault(inputCols, new String[0]);
    setDefault(featureEngineeringCols, new String[0]);
    setDefault(units, new String[0]);
    setDefault(applyPiTheorem, true);
    setDefault(featureEngineeringSteps, 2);
    setDefault(seed, 0L);
    setDefault(maxSampleRows, 100_000);
    setDefault(problem, "regression");
    setDefault(evaluation, AutoFeatTransformer.CATALYST);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The {@code labelCol} parameter. */
  public Param<String> labelCol() {
    return labelCol;
  }

  /** The {@code inputCols} parameter. */
  public StringArrayParam inputCols() {
    return inputCols;
  }

  /** The {@code featureEngineeringCols} parameter. */
  public StringArrayParam featureEngineeringCols() {
    return featureEngineeringCols;
  }

  /** The {@code featureEngineeringSteps} parameter. */
  public IntParam featureEngineeringSteps() {
    return featureEngineeringSteps;
  }

  /** The {@code seed} parameter. */
  public LongParam seed() {
    return seed;
  }

  /** The {@code maxSampleRows} parameter. */
  public IntParam maxSampleRows() {
    return maxSampleRows;
  }

  /** The {@code problem} parameter. */
  public Param<String> problem() {
    return problem;
  }

  /** The {@code evaluation} parameter. */
  public Param<String> evaluation() {
    return evaluation;
  }

  /** The steps of feature generation. */
  public int getFeatureEngineeringSteps() {
    return ((Number) $(featureEngineeringSteps)).intValue();
  }

  /** The seed. */
  public long getSeed() {
    return ((Number) $(seed)).longValue();
  }

  /** The most rows the search's sample may have. */
  public int getMaxSampleRows() {
    return ((Number) $(maxSampleRows)).intValue();
  }

  /** Sets {@code labelCol}. */
  public AutoFeatEstimator setLabelCol(String value) {
    set(labelCol, value);
    return this;
  }

  /** Sets {@code inputCols}. */
  public AutoFeatEstimator setInputCols(String... value) {
    set(inputCols, value);
    return this;
  }

  /** Sets {@code featureEngineeringCols}. */
  public AutoFeatEstimator setFeatureEngineeringCols(String... value) {
    set(featureEngineeringCols, value);
    return this;
  }

  /** The {@code units} parameter. */
  public StringArrayParam units() {
    return units;
  }

  /** Sets {@code units}: {@code column=unit} entries, such as {@code "v=m/s"}. */
  public AutoFeatEstimator setUnits(String... value) {
    set(units, value);
    return this;
  }

  /** The {@code applyPiTheorem} parameter. */
  public org.apache.spark.ml.param.BooleanParam applyPiTheorem() {
    return applyPiTheorem;
  }

  /** Sets {@code applyPiTheorem}. */
  public AutoFeatEstimator setApplyPiTheorem(boolean value) {
    set(applyPiTheorem, value);
    return this;
  }

  /** Sets {@code featureEngineeringSteps}. */
  public AutoFeatEstimator setFeatureEngineeringSteps(int value) {
    set(featureEngineeringSteps, value);
    return this;
  }

  /** Sets {@code seed}. */
  public AutoFeatEstimator setSeed(long value) {
    set(seed, value);
    return this;
  }

  /** Sets {@code maxSampleRows}. */
  public AutoFeatEstimator setMaxSampleRows(int value) {
    set(maxSampleRows, value);
    return this;
  }

  /** Sets {@code problem}: {@code regression} or {@code classification}. */
  public AutoFeatEstimator setProblem(String value) {
    set(problem, value);
    return this;
  }

  /** Sets the {@code evaluation} of the transformer the fit gives. */
  public AutoFeatEstimator setEvaluation(String value) {
    set(evaluation, value);
    return this;
  }

  /** The input columns for {@code schema}: as set, or every numeric column but the label. */
  private List<String> inputs(StructType schema) {
    String[] set = $(inputCols);
    if (set.length > 0) {
      return List.of(set);
    }
    List<String> out = new ArrayList<>();
    for (StructField f : schema.fields()) {
      if (!f.name().equals($(labelCol)) && f.dataType() instanceof NumericType) {
        out.add(f.name());
      }
    }
    return out;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    List<String> names = new ArrayList<>(inputs(schema));
    if (names.isEmpty()) {
      throw new IllegalArgumentException(
          "AutoFeatEstimator " + uid + ": no numeric input column in " + schema.simpleString());
    }
    names.add($(labelCol));
    for (String name : names) {
      if (!Arrays.asList(schema.fieldNames()).contains(name)) {
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": the column '"
                + name
                + "' is missing; the DataFrame has "
                + Arrays.toString(schema.fieldNames()));
      }
      if (!(schema.apply(name).dataType() instanceof NumericType)) {
        boolean textLabel =
            name.equals($(labelCol))
                && schema.apply(name).dataType() instanceof org.apache.spark.sql.types.StringType;
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": the column '"
                + name
                + "' is "
                + schema.apply(name).dataType().simpleString()
                + "; it must be numeric ("
                + (textLabel
                    ? "index class labels first with org.apache.spark.ml.feature.StringIndexer,"
                        + " setStringOrderType(\"alphabetAsc\") numbering them in the order the"
                        + " in-process fit does; or cast numbers written as text to double"
                    : "cast it to double first")
                + ")");
      }
    }
    List<String> inputs = inputs(schema);
    for (String name : $(featureEngineeringCols)) {
      if (name == null || !inputs.contains(name)) {
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": featureEngineeringCols names '"
                + name
                + "', which is not one of its input columns "
                + inputs);
      }
    }
    java.util.Map<String, String> unitMap = unitMap();
    for (String name : unitMap.keySet()) {
      if (!inputs.contains(name)) {
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": units names '"
                + name
                + "', which is not one of its input columns "
                + inputs);
      }
    }
    return schema;
  }

  /**
   * The {@code units} entries as a map, each unit checked.
   *
   * @throws IllegalArgumentException for an entry that is not {@code column=unit} or a unit that
   *     cannot be read
   */
  private java.util.Map<String, String> unitMap() {
    java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String entry : $(units)) {
      int eq = entry == null ? -1 : entry.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": units takes column=unit entries, such as v=m/s; got '"
                + entry
                + "'");
      }
      String column = entry.substring(0, eq).strip();
      if (out.put(column, entry.substring(eq + 1).strip()) != null) {
        throw new IllegalArgumentException(
            "AutoFeatEstimator "
                + uid
                + ": units gives column '"
                + column
                + "' twice; give each once");
      }
    }
    AutoFeatProcessor.builder().units(out);
    return out;
  }

  @Override
  public AutoFeatTransformer fit(Dataset<?> dataset) {
    transformSchema(dataset.schema());
    List<String> inputs = inputs(dataset.schema());
    String label = $(labelCol);
    List<Column> columns = new ArrayList<>();
    Column finite = lit(true);
    for (String name : concat(inputs, label)) {
      Column c = col("`" + name.replace("`", "``") + "`").cast("double");
      columns.add(c.as(name));
      finite =
          finite
              .and(c.isNotNull())
              .and(not(isnan(c)))
              .and(abs(c).lt(lit(Double.POSITIVE_INFINITY)));
    }
    // read three times (count, sample, the sums over every row): kept by Spark in between
    Dataset<Row> rows =
        dataset
            .toDF()
            .select(columns.toArray(new Column[0]))
            .where(finite)
            .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    try {
      return fit(rows, inputs, label);
    } finally {
      rows.unpersist();
    }
  }

  private AutoFeatTransformer fit(Dataset<Row> rows, List<String> inputs, String label) {
    long total = rows.count();
    boolean regression = "regression".equals($(problem));
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .name("autofeat-estimator")
            .problemType(regression ? ProblemType.REGRESSION : ProblemType.CLASSIFICATION)
            .featureEngineeringSteps(getFeatureEngineeringSteps())
            .featureEngineeringColumns(List.of($(featureEngineeringCols)))
            .units(unitMap())
            .applyPiTheorem(Boolean.TRUE.equals(getOrDefault(applyPiTheorem)))
            .seed(getSeed())
            .build();
    try (MemoryScope scope = ExecutorMemory.manager().openScope("autofeat-estimator-" + uid)) {
      int d = inputs.size();
      long perRow = 8L * (d + 1);
      long capacity = Math.min(getMaxSampleRows(), scope.availableBytes() / SAMPLE_SHARE / perRow);
      if (capacity < 10) {
        throw new IllegalStateException(
            "AutoFeatEstimator "
                + uid
                + ": the driver's budget ("
                + MemorySize.format(scope.availableBytes())
                + " available in "
                + scope.path()
                + ") holds no sample of 10 rows at 1/"
                + SAMPLE_SHARE
                + "; give the driver more heap or set -Dmemguard.spark.budget");
      }
      List<Row> picked =
          total <= capacity
              ? rows.collectAsList()
              : rows.sample(false, Math.min(1.0, 1.2 * capacity / total), getSeed())
                  .limit((int) capacity)
                  .collectAsList();
      io.memguard.autofeat.Dataset sample = toDataset(picked, inputs, label);
      AutoFeatModel searched = processor.fit(scope, sample);
      AutoFeatModel result = searched;
      try {
        if (regression && picked.size() < total && !searched.features().isEmpty()) {
          int p = searched.features().size();
          FinalModelSums empty =
              FinalModelSums.forModel(searched, total, searched.transform(sample), sample.rows());
          FinalModelSums sums =
              rows.javaRDD()
                  .zipWithIndex()
                  .mapPartitions(new PartitionSums(AutoFeatTransformer.textOf(searched), empty, d))
                  .treeReduce(FinalModelSums::merge, 2);
          if (sums.rows() + sums.skippedRows() != total) {
            throw new IllegalStateException(
                "AutoFeatEstimator "
                    + uid
                    + ": the pass over all rows saw "
                    + (sums.rows() + sums.skippedRows())
                    + " of "
                    + total
                    + " (the DataFrame changed between its passes)");
          }
          result = sums.refit(searched, scope);
          if (p != result.features().size()) {
            throw new AssertionError("the refit changed the features");
          }
        }
        AutoFeatTransformer t = AutoFeatTransformer.of(result).setEvaluation($(evaluation));
        t.setParent(this);
        return t;
      } finally {
        if (result != searched) {
          result.close();
        }
        searched.close();
      }
    }
  }

  private static List<String> concat(List<String> inputs, String label) {
    List<String> all = new ArrayList<>(inputs);
    all.add(label);
    return all;
  }

  private static io.memguard.autofeat.Dataset toDataset(
      List<Row> rows, List<String> inputs, String label) {
    int n = rows.size();
    int d = inputs.size();
    double[][] x = new double[d][n];
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      for (int j = 0; j < d; j++) {
        x[j][i] = r.getDouble(j);
      }
      y[i] = r.getDouble(d);
    }
    return io.memguard.autofeat.Dataset.of(inputs, x, y);
  }

  @Override
  public AutoFeatEstimator copy(ParamMap extra) {
    return copyValues(new AutoFeatEstimator(uid), extra);
  }

  /** Reads an estimator saved with {@link #write()}. */
  public static MLReader<AutoFeatEstimator> read() {
    return new MLReader<>() {
      @Override
      public AutoFeatEstimator load(String path) {
        DefaultParamsReader.Metadata metadata =
            DefaultParamsReader.loadMetadata(
                path, sparkSession(), AutoFeatEstimator.class.getName());
        AutoFeatEstimator e = new AutoFeatEstimator(metadata.uid());
        metadata.getAndSetParams(e, scala.Option.empty());
        return e;
      }
    };
  }

  /** Loads an estimator saved at {@code path}. */
  public static AutoFeatEstimator load(String path) {
    return read().load(path);
  }
}
