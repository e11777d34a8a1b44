package io.memguard.spark;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.Formula;
import io.memguard.spark.internal.CatalystFormulas;
import io.memguard.spark.internal.Models;
import io.memguard.spark.internal.PartitionTransform;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML transformer ({@link Model}, the result of {@link AutoFeatEstimator}) that adds a
 * fitted AutoFeat model's features to a DataFrame: one {@code double} column per selected feature,
 * named as {@link AutoFeatModel#features()} prints it (a feature that is itself an input column,
 * such as {@code x1}, is that column and is not added again). The input columns are found by the
 * model's input names and must be numeric; a NULL reads as NaN; a value outside a feature's domain
 * is NaN, as in the model.
 *
 * <p>Two evaluations, chosen by the {@code evaluation} parameter:
 *
 * <ul>
 *   <li>{@code catalyst} (default): each feature compiled to a Spark SQL column expression that
 *       Catalyst optimises and generates code for, no UDF (see {@code docs/spark.md} for which
 *       operations give the model's bits and which may differ in the last one);
 *   <li>{@code partitions}: a {@code mapPartitions} pass that evaluates blocks of rows with the
 *       model's own evaluator, bit for bit, each partition a task of the executor's memguard
 *       allocator ({@link ExecutorMemory}) whose grant sizes the blocks.
 * </ul>
 *
 * <p>Readable and writable with Spark ML persistence ({@link #write()}, {@link #read()}, {@link
 * #load(String)}), alone or in a {@code Pipeline}: the parameters as Spark's metadata, the model in
 * memguard's model format under {@code data/model.autofeat}.
 *
 * <p>Immutable but for its parameters (as every Spark ML stage); safe to use from several threads
 * once configured.
 *
 * @since 0.1.0
 */
public final class AutoFeatTransformer extends Model<AutoFeatTransformer> implements MLWritable {
  private static final long serialVersionUID = 1L;

  /** The evaluations {@link #evaluation()} accepts. */
  public static final String CATALYST = "catalyst";

  /** See {@link #CATALYST}. */
  public static final String PARTITIONS = "partitions";

  private final String uid;
  private final String modelText;
  private final Param<String> evaluation;
  private transient volatile Shape shape;

  /** What the transformer needs of the model on the driver, parsed once. */
  private record Shape(
      List<String> inputs,
      List<String> features,
      List<Formula> formulas,
      List<String> categorical) {}

  private AutoFeatTransformer(String uid, String modelText) {
    this.uid = Objects.requireNonNull(uid, "uid");
    this.modelText = Objects.requireNonNull(modelText, "modelText");
    this.evaluation =
        new Param<>(
            this,
            "evaluation",
            "how features are computed: 'catalyst' (Spark SQL expressions) or 'partitions'"
                + " (the model's evaluator in memguard-budgeted blocks)",
            ParamValidators.inArray(new String[] {CATALYST, PARTITIONS}));
    setDefault(evaluation, CATALYST);
  }

  /** A transformer of {@code model} (its saved text is kept; the model may be closed after). */
  public static AutoFeatTransformer of(AutoFeatModel model) {
    return new AutoFeatTransformer(Identifiable$.MODULE$.randomUID("autofeat"), textOf(model));
  }

  /** {@code model} saved, as the text executors load it from. */
  static String textOf(AutoFeatModel model) {
    Objects.requireNonNull(model, "model");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      model.save(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Override
  public String uid() {
    return uid;
  }

  /** The {@code evaluation} parameter: {@link #CATALYST} (default) or {@link #PARTITIONS}. */
  public Param<String> evaluation() {
    return evaluation;
  }

  /** The evaluation in use. */
  public String getEvaluation() {
    return $(evaluation);
  }

  /** Sets the evaluation: {@link #CATALYST} or {@link #PARTITIONS}. */
  public AutoFeatTransformer setEvaluation(String value) {
    set(evaluation, value.toLowerCase(Locale.ROOT));
    return this;
  }

  /**
   * A copy of the model this transformer applies, loaded into {@code scope} (its reservation
   * there); close it when done.
   */
  public AutoFeatModel loadModel(io.memguard.core.MemoryScope scope) {
    try {
      return AutoFeatModel.load(
          new java.io.ByteArrayInputStream(modelText.getBytes(StandardCharsets.UTF_8)), scope);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The model's input columns, in its order. */
  public List<String> inputNames() {
    return shape().inputs();
  }

  /** The model's features, as the columns this transformer adds are named. */
  public List<String> features() {
    return shape().features();
  }

  private Shape shape() {
    Shape s = shape;
    if (s == null) {
      try (Models.Use use = Models.use(modelText)) {
        AutoFeatModel m = use.model();
        s = new Shape(m.inputNames(), m.features(), m.formulas(), m.categories().columns());
      }
      shape = s;
    }
    return s;
  }

  @Override
  public StructType transformSchema(StructType schema) {
    Shape s = shape();
    Set<String> present = new HashSet<>(Arrays.asList(schema.fieldNames()));
    for (String input : s.inputs()) {
      if (!present.contains(input)) {
        throw new IllegalArgumentException(
            "AutoFeatTransformer "
                + uid
                + ": the input column '"
                + input
                + "' the model reads is missing; the DataFrame has "
                + Arrays.toString(schema.fieldNames())
                + " and the model reads "
                + s.inputs()
                + (s.categorical().isEmpty()
                    ? ""
                    : "; it was fitted on categorical columns "
                        + s.categorical()
                        + ", read as one 0/1 column per category (cat_<column>_<category>): add"
                        + " those columns to the DataFrame first"));
      }
      StructField f = schema.apply(input);
      if (!(f.dataType() instanceof NumericType)) {
        throw new IllegalArgumentException(
            "AutoFeatTransformer "
                + uid
                + ": the input column '"
                + input
                + "' is "
                + f.dataType().simpleString()
                + "; the model needs a numeric column (cast it to double first)");
      }
    }
    StructType out = schema;
    for (int k : added(schema)) {
      // never NULL in fact; declared nullable as Catalyst derives it for guarded expressions
      out = out.add(s.features().get(k), DataTypes.DoubleType, true);
    }
    return out;
  }

  /** The features this transformer adds to {@code schema}: those not already a column of it. */
  private int[] added(StructType schema) {
    Set<String> present = new HashSet<>(Arrays.asList(schema.fieldNames()));
    List<String> features = shape().features();
    return java.util.stream.IntStream.range(0, features.size())
        .filter(k -> !present.contains(features.get(k)))
        .toArray();
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    StructType schema = dataset.schema();
    StructType outSchema = transformSchema(schema);
    Shape s = shape();
    int[] added = added(schema);
    if (CATALYST.equals(getEvaluation())) {
      List<Column> columns = new ArrayList<>();
      columns.add(org.apache.spark.sql.functions.col("*"));
      for (int k : added) {
        columns.add(CatalystFormulas.feature(s.formulas().get(k)).as(s.features().get(k)));
      }
      return dataset.toDF().select(columns.toArray(new Column[0]));
    }
    int[] inputIndex = new int[s.inputs().size()];
    for (int j = 0; j < inputIndex.length; j++) {
      inputIndex[j] = schema.fieldIndex(s.inputs().get(j));
    }
    return dataset
        .toDF()
        .mapPartitions(
            new PartitionTransform(modelText, inputIndex, added, schema.size()),
            Encoders.row(outSchema));
  }

  @Override
  public AutoFeatTransformer copy(ParamMap extra) {
    AutoFeatTransformer that = new AutoFeatTransformer(uid, modelText);
    return copyValues(that, extra).setParent(parent());
  }

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  /** Reads a transformer saved with {@link #write()}. */
  public static MLReader<AutoFeatTransformer> read() {
    return new Reader();
  }

  /** Loads a transformer saved at {@code path}. */
  public static AutoFeatTransformer load(String path) {
    return read().load(path);
  }

  @Override
  public String toString() {
    return "AutoFeatTransformer(" + uid + ", " + getEvaluation() + ", " + features() + ")";
  }

  private static final String MODEL_FILE = "data/model.autofeat";

  private static final class Writer extends MLWriter {
    private final AutoFeatTransformer stage;

    Writer(AutoFeatTransformer stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter.saveMetadata(stage, path, sparkSession());
      Path file = new Path(path, MODEL_FILE);
      try {
        FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (OutputStream out = fs.create(file, true)) {
          out.write(stage.modelText.getBytes(StandardCharsets.UTF_8));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the AutoFeat model to " + file, e);
      }
    }
  }

  private static final class Reader extends MLReader<AutoFeatTransformer> {
    @Override
    public AutoFeatTransformer load(String path) {
      DefaultParamsReader.Metadata metadata =
          DefaultParamsReader.loadMetadata(
              path, sparkSession(), AutoFeatTransformer.class.getName());
      Path file = new Path(path, MODEL_FILE);
      String text;
      try {
        FileSystem fs = file.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        try (InputStream in = fs.open(file)) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not read the AutoFeat model from " + file, e);
      }
      AutoFeatTransformer t = new AutoFeatTransformer(metadata.uid(), text);
      metadata.getAndSetParams(t, scala.Option.empty());
      t.shape(); // a model that does not load fails here, naming the file
      return t;
    }
  }
}
