package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Categorical feature columns (autofeat's categorical_cols): read, fitted, streamed and saved. */
class CategoricalColumnsTest {

  private static final String[] COLORS = {"red", "green", "navy, blue"};
  private static final String[] SIZES = {"1", "2", "10"};

  @TempDir Path dir;

  private static MemoryManager manager() {
    return MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  /**
   * Rows whose target needs both categorical columns: a step for red, and x2's slope for size 10.
   * {@code colors} lists the colors the rows draw from.
   */
  private static Path write(Path file, int rows, long seed, String... colors) throws IOException {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("x1,color,x2,size,y\n");
    for (int i = 0; i < rows; i++) {
      double x1 = 1 + 4 * r.nextDouble();
      double x2 = r.nextDouble();
      String color = colors[r.nextInt(colors.length)];
      String size = SIZES[r.nextInt(SIZES.length)];
      double y =
          x1 * x1
              + (color.equals("red") ? 4 : 0)
              + (size.equals("10") ? 6 * x2 : 0)
              + 0.05 * r.nextGaussian();
      sb.append(x1)
          .append(',')
          .append(color.contains(",") ? '"' + color + '"' : color)
          .append(',')
          .append(x2)
          .append(',')
          .append(size)
          .append(',')
          .append(y)
          .append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    return file;
  }

  private static Dataset csv(String text, List<String> categorical) {
    return Dataset.readCsv(new StringReader(text), "y", categorical, "data.csv");
  }

  @Test
  void categoricalColumns_becomeOneZeroOneColumnPerCategory_afterTheNumericOnes() {
    Dataset d =
        csv(
            "size,a,color,y\n10,1,red,0\n2,2,\"navy, blue\",1\n1,3,red,2\n2,4,,3\n",
            List.of("color", "size"));
    assertThat(d.names())
        .containsExactly(
            "a",
            "cat_color_",
            "cat_color_navy, blue",
            "cat_color_red",
            "cat_size_1",
            "cat_size_2",
            "cat_size_10");
    assertThat(d.column("cat_color_red")).containsExactly(1, 0, 1, 0);
    assertThat(d.column("cat_color_")).containsExactly(0, 0, 0, 1);
    assertThat(d.column("cat_size_10")).containsExactly(1, 0, 0, 0);
    assertThat(d.column("a")).containsExactly(1, 2, 3, 4);
    // numbers in numeric order, as scikit-learn's encoder orders a numeric column
    assertThat(d.categories().categories("size")).containsExactly("1", "2", "10");
    assertThat(d.categories().columns()).containsExactly("color", "size");
    // the rows of a split keep the categories
    assertThat(d.split(new int[] {0}).test().categories()).isEqualTo(d.categories());
  }

  @Test
  void dataReadWithGivenCategories_hasTheirColumns_andZerosForAnUnseenCategory() {
    Categories given = Categories.of(Map.of("color", List.of("blue", "red")));
    Dataset d =
        Dataset.readCsv(new StringReader("a,color,y\n1,red,0\n2,teal,1\n"), "y", given, "t");
    assertThat(d.names()).containsExactly("a", "cat_color_blue", "cat_color_red");
    assertThat(d.column("cat_color_blue")).containsExactly(0, 0);
    assertThat(d.column("cat_color_red")).containsExactly(1, 0);
    assertThat(d.categories()).isEqualTo(given);
  }

  @Test
  void mistakes_areRefused_sayingWhatToDo() {
    assertThatThrownBy(() -> csv("a,y\n1,2\n", List.of("b")))
        .hasMessageContaining("no column 'b' (named as a categorical column)");
    assertThatThrownBy(() -> csv("a,y\n1,2\n", List.of("y")))
        .hasMessageContaining("'y' is the target");
    assertThatThrownBy(() -> csv("a,c,y\n1,x,2\n", List.of("c", "c")))
        .hasMessageContaining("named twice");
    StringBuilder many = new StringBuilder("a,c,y\n");
    for (int i = 0; i <= Categories.MAX_CATEGORIES; i++) {
      many.append(i).append(",v").append(i).append(",1\n");
    }
    assertThatThrownBy(() -> csv(many.toString(), List.of("c")))
        .hasMessageContaining("data.csv line 1002")
        .hasMessageContaining("more than 1000 distinct values")
        .hasMessageContaining("group the rare values");
    // text in a column not named categorical says how to name it
    assertThatThrownBy(() -> csv("a,c,y\n1,x,2\n", List.of()))
        .hasMessageContaining("column 'c': 'x' is not a finite number")
        .hasMessageContaining("Dataset.fromCsv(file, target, List.of(\"c\"))");
    assertThatThrownBy(() -> Categories.of(Map.of("c", List.of("x", "x"))))
        .hasMessageContaining("lists category 'x' twice");
    assertThatThrownBy(() -> Categories.of(Map.of("c", List.of())))
        .hasMessageContaining("has no category");
    assertThatThrownBy(() -> Categories.of(Map.of("c", List.of("x_y"), "c_x", List.of("y"))))
        .hasMessageContaining("would both be the column 'cat_c_x_y'");
    assertThatThrownBy(() -> csv("cat_c_x,c,y\n1,x,2\n", List.of("c")))
        .hasMessageContaining("column 'cat_c_x' has the name of category 'x' of 'c'");
  }

  @Test
  void scan_findsTheCategoriesAReadFinds() throws IOException {
    Path file = write(dir.resolve("d.csv"), 500, 1, COLORS);
    Categories scanned = Categories.scan(file, List.of("size", "color"));
    assertThat(scanned)
        .isEqualTo(Dataset.fromCsv(file, "y", List.of("size", "color")).categories());
    assertThat(scanned.columns()).containsExactly("size", "color");
    assertThat(scanned.encodedNames())
        .containsExactly(
            "cat_size_1",
            "cat_size_2",
            "cat_size_10",
            "cat_color_green",
            "cat_color_navy, blue",
            "cat_color_red");
  }

  @Test
  void aFit_usesTheCategories_andNewDataIsReadWithTheModels() throws IOException {
    Path train = write(dir.resolve("train.csv"), 1_500, 2, COLORS);
    // the test rows never have green, and have a color the fit never saw
    Path test = write(dir.resolve("test.csv"), 400, 3, "red", "navy, blue", "purple");
    AutoFeatProcessor processor = AutoFeatProcessor.builder().featureEngineeringSteps(2).build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            processor.fit(scope, Dataset.fromCsv(train, "y", List.of("color", "size")))) {
      assertThat(model.categories().columns()).containsExactly("color", "size");
      assertThat(model.inputNames()).contains("cat_color_red", "cat_size_10");
      Dataset testData = Dataset.fromCsv(test, "y", model.categories());
      assertThat(testData.names()).isEqualTo(model.inputNames());
      // purple is no category of the fit: like green, it is neither red nor navy blue
      assertThat(model.score(testData)).isGreaterThan(0.99);

      // data read without the categories lacks the model's columns, and the error says so
      Dataset numericOnly =
          Dataset.of(
              List.of("x1", "x2"),
              new double[][] {testData.column("x1"), testData.column("x2")},
              testData.target());
      assertThatThrownBy(() -> model.predict(numericOnly))
          .hasMessageContaining("fitted on categorical columns [color, size]")
          .hasMessageContaining("model.categories()");

      // predictCsv reads the text columns as the model's categories
      Path out = dir.resolve("predicted.csv");
      model.predictCsv(test, out, scope);
      Dataset predicted = Dataset.fromCsv(out, "prediction", model.categories());
      assertThat(predicted.target()).containsExactly(model.predict(testData));

      // a saved model keeps its categories and predicts bit for bit
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      model.save(bytes);
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertThat(text)
          .startsWith("memguard-autofeat-model 3\n")
          .contains("\ncategorical 2\n")
          .contains("\ncategorical-column size 3 1 2 10\n")
          .contains("\nclass-labels 0\n");
      try (AutoFeatModel loaded =
          AutoFeatModel.load(new ByteArrayInputStream(bytes.toByteArray()), scope)) {
        assertThat(loaded.categories()).isEqualTo(model.categories());
        assertThat(loaded.predict(testData)).containsExactly(model.predict(testData));
      }
    }
  }

  @Test
  void withoutTheCategories_theSameRowsFitWorse() throws IOException {
    Path train = write(dir.resolve("train.csv"), 1_500, 4, COLORS);
    Path test = write(dir.resolve("test.csv"), 400, 5, COLORS);
    AutoFeatProcessor processor = AutoFeatProcessor.builder().featureEngineeringSteps(2).build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      double withCategories;
      try (AutoFeatModel model =
          processor.fit(scope, Dataset.fromCsv(train, "y", List.of("color", "size")))) {
        withCategories = model.score(Dataset.fromCsv(test, "y", model.categories()));
      }
      Dataset all = Dataset.fromCsv(train, "y", List.of("color", "size"));
      Dataset numeric =
          Dataset.of(
              List.of("x1", "x2"),
              new double[][] {all.column("x1"), all.column("x2")},
              all.target());
      Dataset testAll = Dataset.fromCsv(test, "y", List.of("color", "size"));
      Dataset testNumeric =
          Dataset.of(
              List.of("x1", "x2"),
              new double[][] {testAll.column("x1"), testAll.column("x2")},
              testAll.target());
      try (AutoFeatModel model = processor.fit(scope, numeric)) {
        assertThat(model.categories().isEmpty()).isTrue();
        assertThat(model.score(testNumeric)).isLessThan(withCategories - 0.05);
      }
    }
  }

  @Test
  void aStreamedFit_readsTheCategoriesInBothPasses() throws IOException {
    Path train = write(dir.resolve("train.csv"), 6_000, 6, COLORS);
    Path test = write(dir.resolve("test.csv"), 500, 7, COLORS);
    Categories categories = Categories.scan(train, List.of("color", "size"));
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(2).maxSampleRows(2_000).build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(train, "y", categories);
        AutoFeatModel model = processor.fit(scope, source)) {
      assertThat(source.names()).isEqualTo(model.inputNames());
      assertThat(model.rows().sampleRows()).isEqualTo(2_000);
      assertThat(model.rows().finalModelRows()).isEqualTo(6_000);
      assertThat(model.categories()).isEqualTo(categories);
      assertThat(model.score(Dataset.fromCsv(test, "y", categories))).isGreaterThan(0.99);

      // a source opened without them cannot feed the model, and says how to open it
      try (CsvSource plain = CsvSource.open(test, "y")) {
        assertThatThrownBy(() -> model.transform(plain, scope, (rows, in, out) -> {}))
            .hasMessageContaining("reads column 'cat_color_green'")
            .hasMessageContaining("CsvSource.open(file, target, model.categories())");
      }
      // blocks of a categorical source are data sets with the categories' columns
      try (CsvSource blocks = CsvSource.open(test, "y", categories)) {
        Dataset first = blocks.next(100);
        assertThat(first.names()).isEqualTo(source.names());
        assertThat(first.categories()).isEqualTo(categories);
        assertThat(first.column("cat_size_10"))
            .isEqualTo(
                Dataset.fromCsv(test, "y", categories)
                    .rows(java.util.stream.IntStream.range(0, 100).toArray())
                    .column("cat_size_10"));
      }
    }
  }

  @Test
  void aCorruptCategoriesLine_isAClearError() throws IOException {
    Path train = write(dir.resolve("train.csv"), 300, 8, COLORS);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .build()
                .fit(scope, Dataset.fromCsv(train, "y", List.of("color", "size")))) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      model.save(bytes);
      String text = bytes.toString(StandardCharsets.UTF_8);
      String line = "categorical-column size 3 1 2 10";
      Map<String, String> expected =
          Map.of(
              "categorical-column size 4 1 2 10",
              "a column's name, its count of categories and each category",
              "categorical-column size 3 1 2 11",
              "0/1 columns are among the inputs",
              "categorical-column color 3 1 2 10",
              "each categorical column once");
      expected.forEach(
          (corrupt, message) -> {
            byte[] file =
                ModelPersistenceTest.withChecksum(text.replace(line, corrupt))
                    .getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> AutoFeatModel.load(new ByteArrayInputStream(file), scope))
                .as(corrupt)
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(message);
          });
    }
  }

  @Test
  void transformCsv_andAReaderSource_readTheModelsCategories() throws IOException {
    Path train = write(dir.resolve("train.csv"), 800, 9, COLORS);
    Path test = write(dir.resolve("test.csv"), 300, 10, "red", "purple");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .build()
                .fit(scope, Dataset.fromCsv(train, "y", List.of("color", "size")))) {
      Dataset testData = Dataset.fromCsv(test, "y", model.categories());
      double[][] want = model.transform(testData);
      Path out = dir.resolve("features.csv");
      model.transformCsv(test, out, scope);
      Dataset written = Dataset.fromCsv(out, "y", model.categories());
      List<String> features = model.features();
      for (int k = 0; k < features.size(); k++) {
        assertThat(written.column(features.get(k))).as(features.get(k)).containsExactly(want[k]);
      }
      // a source read from a Reader with the categories feeds the model as a file does
      List<double[][]> blocks = new java.util.ArrayList<>();
      try (CsvSource source =
          CsvSource.of(
              Files.newBufferedReader(test), "y", model.categories(), "test from a reader")) {
        model.transform(
            source,
            scope,
            (rows, in, out2) -> {
              double[][] copy = new double[out2.length][];
              for (int k = 0; k < out2.length; k++) {
                copy[k] = java.util.Arrays.copyOf(out2[k], rows);
              }
              blocks.add(copy);
            });
      }
      assertThat(blocks).hasSize(1);
      for (int k = 0; k < features.size(); k++) {
        assertThat(blocks.get(0)[k]).containsExactly(want[k]);
      }
    }
  }

  @Test
  void aClassifierOnLabelsAndCategories_isSavedWithBoth_inMemoryAndStreamed() throws IOException {
    Random r = new Random(12);
    StringBuilder sb = new StringBuilder("x,shop,label\n");
    for (int i = 0; i < 3_000; i++) {
      double x = r.nextGaussian();
      String shop = i % 7 == 0 ? "" : COLORS[r.nextInt(COLORS.length)];
      boolean yes =
          x + (shop.equals("red") ? 1.5 : shop.isEmpty() ? -1.5 : 0) > 0.3 * r.nextGaussian();
      sb.append(x).append(',').append(shop.contains(",") ? '"' + shop + '"' : shop);
      sb.append(',').append(yes ? "yes" : "no").append('\n');
    }
    Path file = Files.writeString(dir.resolve("labels.csv"), sb);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .problemType(ProblemType.CLASSIFICATION)
            .featureEngineeringSteps(1)
            .maxSampleRows(1_000)
            .build();
    Categories categories = Categories.scan(file, List.of("shop"));
    assertThat(categories.categories("shop")).containsExactly("", "green", "navy, blue", "red");
    Dataset data = Dataset.fromCsv(file, "label", List.of("shop"));
    assertThat(data.categories()).isEqualTo(categories);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel inMemory = processor.fit(scope, data);
        CsvSource source = CsvSource.open(file, "label", categories);
        AutoFeatModel streamed = processor.fit(scope, source)) {
      for (AutoFeatModel model : List.of(inMemory, streamed)) {
        assertThat(model.classLabels()).containsExactly("no", "yes");
        assertThat(model.categories()).isEqualTo(categories);
        assertThat(model.score(data)).isGreaterThan(0.8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        model.save(bytes);
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text)
            .startsWith("memguard-autofeat-model 3\n")
            .contains("\nclass-labels 2 no yes\n")
            .contains("\ncategorical-column shop 4 %e ");
        try (AutoFeatModel loaded =
            AutoFeatModel.load(new ByteArrayInputStream(bytes.toByteArray()), scope)) {
          assertThat(loaded.categories()).isEqualTo(categories);
          assertThat(loaded.classLabels()).isEqualTo(model.classLabels());
          assertThat(loaded.predictLabels(data)).isEqualTo(model.predictLabels(data));
        }
      }
      assertThat(streamed.rows().sampleRows()).isEqualTo(1_000);
      assertThat(streamed.rows().finalModelRows()).isEqualTo(3_000);
    }
  }

  @Test
  void scan_refusesWhatAReadRefuses() throws IOException {
    Path file = write(dir.resolve("d.csv"), 50, 13, COLORS);
    assertThatThrownBy(() -> Categories.scan(file, List.of("colour")))
        .hasMessageContaining("no column 'colour' (named as a categorical column)");
    assertThatThrownBy(() -> Categories.scan(file, List.of("color", "color")))
        .hasMessageContaining("named twice");
    StringBuilder many = new StringBuilder("c,y\n");
    for (int i = 0; i <= Categories.MAX_CATEGORIES; i++) {
      many.append('v').append(i).append(",1\n");
    }
    Path wide = Files.writeString(dir.resolve("many.csv"), many);
    assertThatThrownBy(() -> Categories.scan(wide, List.of("c")))
        .hasMessageContaining("many.csv line 1002")
        .hasMessageContaining("more than 1000 distinct values");
  }
}
