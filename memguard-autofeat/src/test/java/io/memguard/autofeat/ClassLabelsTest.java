package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.CsvRecords;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A classifier's target given as class labels (text), from the CSV to the saved model. */
class ClassLabelsTest {

  /** In sorted order, so that label i is class i of the numeric data. */
  private static final List<String> NAMES =
      List.of(" Iris setosa", "versicolor", "virginica, var. \"b\"");

  @TempDir Path dir;

  private static MemoryManager manager() {
    return MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  private static AutoFeatProcessor classifier() {
    return AutoFeatProcessor.builder()
        .problemType(ProblemType.CLASSIFICATION)
        .featureEngineeringSteps(1)
        .build();
  }

  /** {@code numeric} with each class i named NAMES[i]. */
  private static Dataset named(Dataset numeric) {
    List<String> labels = new ArrayList<>();
    for (double c : numeric.target()) {
      labels.add(NAMES.get((int) c));
    }
    double[][] columns = new double[numeric.featureCount()][];
    for (int j = 0; j < columns.length; j++) {
      columns[j] = numeric.column(numeric.names().get(j));
    }
    return Dataset.ofLabels(numeric.names(), columns, labels);
  }

  private static Dataset csv(String text) {
    return Dataset.readCsv(new StringReader(text), "y", "data.csv");
  }

  @Test
  void aTargetWithText_isReadAsClassLabels_inSortedOrder() {
    Dataset d = csv("a,y\n1,virginica\n2,setosa\n3,\"versi, color\"\n4,setosa\n");
    assertThat(d.targetLabels()).containsExactly("setosa", "versi, color", "virginica");
    assertThat(d.target()).containsExactly(2, 0, 1, 0);
    assertThat(d.toString()).contains("class labels [setosa, versi, color, virginica]");

    // numbers read before the first text are labels too, as written
    Dataset mixed = csv("a,y\n1,1\n2,2\n3,other\n4,1.0\n");
    assertThat(mixed.targetLabels()).containsExactly("1", "1.0", "2", "other");
    assertThat(mixed.target()).containsExactly(0, 2, 3, 1);

    Dataset numbers = csv("a,y\n1,1\n2,2.5\n");
    assertThat(numbers.targetLabels()).isEmpty();
    assertThat(numbers.target()).containsExactly(1, 2.5);

    // the rows of a split keep the labels and their indices
    Dataset.Split split = d.split(new int[] {2});
    assertThat(split.test().targetLabels()).isEqualTo(d.targetLabels());
    assertThat(split.test().target()).containsExactly(1);
    assertThat(split.train().target()).containsExactly(2, 0, 0);

    assertThat(Dataset.ofLabels(List.of("a"), new double[][] {{1, 2, 3, 4}}, labelsOf(d)))
        .satisfies(
            o -> {
              assertThat(o.targetLabels()).isEqualTo(d.targetLabels());
              assertThat(o.target()).isEqualTo(d.target());
            });
  }

  private static List<String> labelsOf(Dataset d) {
    List<String> out = new ArrayList<>();
    for (double c : d.target()) {
      out.add(d.targetLabels().get((int) c));
    }
    return out;
  }

  @Test
  void aMissingTarget_isAnError_evenAmongLabels() {
    assertThatThrownBy(() -> csv("a,y\n1,setosa\n2,\n"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("data.csv line 3, column 'y': '' is not a finite number; ")
        .hasMessageContaining("missing value");
    for (String missing : List.of("NA", "?", "-NaN", "null", "N/A")) {
      assertThatThrownBy(() -> csv("a,y\n1,setosa\n2," + missing + "\n"))
          .hasMessageContaining("'" + missing + "' is not a finite number; it is a missing value")
          .hasMessageContaining("drop the rows without one");
    }
    assertThatThrownBy(() -> csv("a,y\n1,setosa\n2,1e999\n"))
        .hasMessageContaining("'1e999' is not a finite number; scale the target");
    assertThatThrownBy(
            () -> Dataset.ofLabels(List.of("a"), new double[][] {{1, 2}}, List.of("x", " ")))
        .hasMessageContaining("label of row 1 is blank");
    // a feature column is never read as labels
    assertThatThrownBy(() -> csv("a,y\nred,setosa\n"))
        .hasMessageContaining("column 'a': 'red' is not a finite number")
        .hasMessageContaining("a feature column of text is categorical");
  }

  @Test
  void textAmongManyNumbers_orTooManyLabels_isAnError() {
    StringBuilder numbers = new StringBuilder("a,y\n");
    StringBuilder labels = new StringBuilder("a,y\n");
    for (int i = 0; i <= 10_000; i++) {
      numbers.append(i).append(',').append(i * 0.5).append('\n');
      labels.append(i).append(",class").append(i).append('\n');
    }
    numbers.append("1,oops\n");
    assertThatThrownBy(() -> csv(numbers.toString()))
        .hasMessageContaining("line 10003, column 'y': 'oops' is text in a column of more than")
        .hasMessageContaining("fix or drop that row");
    assertThatThrownBy(() -> csv(labels.toString()))
        .hasMessageContaining("line 10002, column 'y': 'class10000' is one class label more than");
  }

  @Test
  void aClassifierOnLabels_isTheClassifierOnTheirIndices_namedByThem() {
    Dataset all = TestData.classification(900, 3, 8);
    Dataset train = TestData.range(all, 0, 700);
    Dataset test = TestData.range(all, 700, 900);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel numeric = classifier().fit(scope, train);
        AutoFeatModel labelled = classifier().fit(scope, named(train))) {
      assertThat(labelled.features()).isEqualTo(numeric.features());
      assertThat(labelled.classes()).isEqualTo(numeric.classes()).containsExactly(0, 1, 2);
      assertThat(labelled.coefficients()).isEqualTo(numeric.coefficients());
      assertThat(labelled.classLabels()).isEqualTo(NAMES);
      assertThat(numeric.classLabels()).isEmpty();

      double[] predicted = numeric.predict(test);
      List<String> expected = new ArrayList<>();
      for (double c : predicted) {
        expected.add(NAMES.get((int) c));
      }
      assertThat(labelled.predict(named(test))).isEqualTo(predicted);
      assertThat(labelled.predictLabels(named(test))).isEqualTo(expected);
      assertThat(labelled.score(named(test))).isEqualTo(numeric.score(test)).isGreaterThan(0.5);
      assertThat(labelled.toString()).contains("classes=[ Iris setosa, versicolor,");

      assertThatThrownBy(() -> numeric.predictLabels(test))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("use predict(data)");
      assertThatThrownBy(() -> labelled.score(test))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("holds numbers, but this model predicts class labels");
      assertThatThrownBy(() -> numeric.score(named(test)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("holds class labels [ Iris setosa,");
    }
  }

  @Test
  void aRegressionOnLabels_isRefusedBeforeItStarts() {
    Dataset train = named(TestData.classification(300, 3, 9));
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      assertThatThrownBy(() -> AutoFeatProcessor.ofDefaults().fit(scope, train))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "the target 'target' holds text (' Iris setosa', 'versicolor', 'virginica, var."
                  + " \"b\"'), so it was read as 3 class labels")
          .hasMessageContaining("fit a classifier");
      // one stray word among numbers: the message names it
      Dataset stray = csv("a,y\n1,0.5\n2,1.5\n3,?x\n4,2.5\n");
      assertThatThrownBy(() -> AutoFeatProcessor.ofDefaults().fit(scope, stray))
          .hasMessageContaining("holds text ('?x'), so it was read as 4 class labels")
          .hasMessageContaining("fix or drop the rows whose target is text");
      assertThat(scope.reservedBytes()).isZero();
    }
  }

  @Test
  void score_matchesLabelsByName_notByTheirIndexInEachDataSet() {
    Dataset all = TestData.classification(900, 3, 8);
    Dataset train = named(TestData.range(all, 0, 700));
    Dataset test = named(TestData.range(all, 700, 900));
    // the test rows of two of the classes, read on their own: "versicolor" is index 0 there
    List<Integer> rows = new ArrayList<>();
    double[] codes = test.target();
    for (int i = 0; i < codes.length; i++) {
      if (codes[i] != 0) {
        rows.add(i);
      }
    }
    Dataset twoClasses = test.rows(rows.stream().mapToInt(Integer::intValue).toArray());
    Dataset reread =
        Dataset.ofLabels(twoClasses.names(), columns(twoClasses), labelsOf(twoClasses));
    assertThat(reread.targetLabels()).containsExactly("versicolor", "virginica, var. \"b\"");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model = classifier().fit(scope, train)) {
      List<String> predicted = model.predictLabels(reread);
      List<String> actual = labelsOf(reread);
      int same = 0;
      for (int i = 0; i < actual.size(); i++) {
        same += actual.get(i).equals(predicted.get(i)) ? 1 : 0;
      }
      assertThat(model.score(reread))
          .isEqualTo(same / (double) actual.size())
          .isEqualTo(model.score(twoClasses));
    }
  }

  private static double[][] columns(Dataset d) {
    double[][] c = new double[d.featureCount()][];
    for (int j = 0; j < c.length; j++) {
      c[j] = d.column(d.names().get(j));
    }
    return c;
  }

  @Test
  void aLabelledModel_savesItsLabels_andLoadsToTheSamePredictions() throws Exception {
    Dataset all = TestData.classification(900, 3, 8);
    Dataset train = named(TestData.range(all, 0, 700));
    Dataset test = named(TestData.range(all, 700, 900));
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model = classifier().fit(scope, train);
        AutoFeatModel numeric = classifier().fit(scope, TestData.range(all, 0, 700))) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.save(out);
      String text = out.toString(StandardCharsets.UTF_8);
      assertThat(text)
          .startsWith("memguard-autofeat-model 2\n")
          .contains(
              "\nclass-labels 3 %u0020Iris%u0020setosa versicolor"
                  + " virginica,%u0020var.%u0020\"b\"\n");
      try (AutoFeatModel loaded =
          AutoFeatModel.load(new ByteArrayInputStream(out.toByteArray()), scope)) {
        assertThat(loaded.classLabels()).isEqualTo(NAMES);
        assertThat(loaded.predict(test)).isEqualTo(model.predict(test));
        assertThat(loaded.predictLabels(test)).isEqualTo(model.predictLabels(test));
        assertThat(loaded.score(test)).isEqualTo(model.score(test));
      }
      String wrongCount = text.replace("\nclass-labels 3 ", "\nclass-labels 2 ");
      assertThatThrownBy(
              () ->
                  AutoFeatModel.load(
                      new ByteArrayInputStream(wrongCount.getBytes(StandardCharsets.UTF_8)), scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("3 class labels, one per class");

      // a model without labels is written as before
      ByteArrayOutputStream plain = new ByteArrayOutputStream();
      numeric.save(plain);
      assertThat(plain.toString(StandardCharsets.UTF_8))
          .startsWith("memguard-autofeat-model 1\n")
          .doesNotContain("class-labels");
    }
  }

  @Test
  void predictCsv_writesEachRowsLabel() throws IOException {
    Dataset all = TestData.classification(900, 3, 8);
    Dataset train = named(TestData.range(all, 0, 700));
    Dataset test = named(TestData.range(all, 700, 900));
    Path input = dir.resolve("test.csv");
    StringBuilder sb = new StringBuilder(String.join(",", test.names())).append(",species\n");
    double[][] c = columns(test);
    List<String> labels = labelsOf(test);
    for (int i = 0; i < test.rows(); i++) {
      for (double[] column : c) {
        sb.append(column[i]).append(',');
      }
      sb.append('"').append(labels.get(i).replace("\"", "\"\"")).append("\"\n");
    }
    Files.writeString(input, sb);
    Path output = dir.resolve("predicted.csv");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model = classifier().fit(scope, train)) {
      model.predictCsv(input, output, scope);
      List<String> written = new ArrayList<>();
      try (var reader = Files.newBufferedReader(output)) {
        CsvRecords records = new CsvRecords(reader, "predicted.csv");
        String[] header = records.next();
        assertThat(header[header.length - 1]).isEqualTo("prediction");
        for (String[] r = records.next(); r != null; r = records.next()) {
          written.add(r[r.length - 1]);
        }
      }
      assertThat(written).isEqualTo(model.predictLabels(test)).hasSize(200);
    }
  }

  /** {@link StreamFitTest#classes}'s file with class k (numbered from 1 there) named NAMES[k-1]. */
  private static Path named(Path numbered, Path file) throws IOException {
    StringBuilder sb = new StringBuilder();
    List<String> lines = Files.readAllLines(numbered);
    sb.append(lines.get(0)).append('\n');
    for (String line : lines.subList(1, lines.size())) {
      int comma = line.lastIndexOf(',');
      String name = NAMES.get(Integer.parseInt(line.substring(comma + 1)) - 1);
      sb.append(line, 0, comma + 1).append('"').append(name.replace("\"", "\"\"")).append("\"\n");
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    return file;
  }

  @Test
  void aStreamedFitOnLabels_numbersThemAsInMemory_andRefitsOnEveryRow() throws IOException {
    Path numbered = StreamFitTest.classes(dir.resolve("numbered.csv"), 20_000, 6);
    Path named = named(numbered, dir.resolve("named.csv"));
    Path test =
        named(StreamFitTest.classes(dir.resolve("t.csv"), 3_000, 7), dir.resolve("test.csv"));
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .problemType(ProblemType.CLASSIFICATION)
            .featureEngineeringSteps(1)
            .maxSampleRows(1_000)
            .build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        CsvSource namedSource = CsvSource.open(named, "y");
        CsvSource numberedSource = CsvSource.open(numbered, "y");
        AutoFeatModel model = processor.fit(scope, namedSource);
        AutoFeatModel reference = processor.fit(scope, numberedSource)) {
      assertThat(model.rows().finalModelRows()).isEqualTo(20_000);
      assertThat(model.report().decisions())
          .anyMatch(d -> d.startsWith("final model: refitted on all 20000 rows in "))
          .noneMatch(d -> d.contains("a label the sample did not have"));
      assertThat(model.classLabels()).isEqualTo(NAMES);
      // the labels sort as the numbers do, so the fit is the numbered file's
      assertThat(model.features()).isEqualTo(reference.features());
      assertThat(model.coefficients()).isEqualTo(reference.coefficients());
      assertThat(model.score(Dataset.fromCsv(test, "y"))).isGreaterThan(0.8);
    }
  }

  @Test
  void csvSourceBlocks_readLabelsAsFromCsvDoes() {
    String text = "a,y\n1,b\n2,a\n3,\" padded\"\n4,1\n5,2.5\n";
    try (CsvSource source = CsvSource.of(new StringReader(text), "y", "blocks.csv")) {
      Dataset first = source.next(3);
      assertThat(first.targetLabels()).containsExactly(" padded", "a", "b");
      assertThat(first.target()).containsExactly(2, 1, 0);
      Dataset second = source.next(3); // a block of numbers reads as numbers
      assertThat(second.targetLabels()).isEmpty();
      assertThat(second.target()).containsExactly(1, 2.5);
    }
    try (CsvSource source = CsvSource.of(new StringReader("a,y\n1,b\n2,\n"), "y", "gap.csv")) {
      assertThatThrownBy(() -> source.next(10))
          .hasMessageContaining("gap.csv line 3, column 'y': '' is not a finite number")
          .hasMessageContaining("missing value");
    }
  }

  @Test
  void aStreamedRegressionOnLabels_isRefusedWithWhatToDo() throws IOException {
    Path numbered = StreamFitTest.classes(dir.resolve("numbered.csv"), 2_000, 6);
    Path named = named(numbered, dir.resolve("named.csv"));
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        CsvSource source = CsvSource.open(named, "y")) {
      assertThatThrownBy(
              () ->
                  AutoFeatProcessor.builder()
                      .featureEngineeringSteps(1)
                      .maxSampleRows(500)
                      .build()
                      .fit(scope, source))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("named.csv line 2, column 'y'")
          .hasMessageContaining("a regression's target needs a number in every row")
          .hasMessageContaining("ProblemType.CLASSIFICATION");
      assertThat(scope.reservedBytes()).isZero();
    }
  }
}
