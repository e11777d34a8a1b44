package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.StringReader;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** featureEngineeringColumns (autofeat's feateng_cols): which columns the search builds from. */
class FeatureEngineeringColumnsTest {

  /** y needs a*b and a linear shift; {@code linear} matters only as itself. */
  private static Dataset data(int rows, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[4][rows];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      x[0][i] = 1 + r.nextDouble();
      x[1][i] = 1 + r.nextDouble();
      x[2][i] = r.nextGaussian();
      x[3][i] = r.nextGaussian();
      y[i] = 3 * x[0][i] * x[1][i] + 2 * x[2][i] + 0.05 * r.nextGaussian();
    }
    return Dataset.of(List.of("a", "b", "linear", "noise"), x, y);
  }

  private static MemoryManager manager() {
    return MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  @Test
  void onlyTheNamedColumnsAreTransformedOrCombined_theOthersCompeteAsTheyAre() {
    Dataset train = data(600, 1);
    Dataset test = data(300, 2);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(2)
            .featureEngineeringColumns(List.of("a", "b"))
            .build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model = processor.fit(scope, train)) {
      assertThat(model.features()).contains("linear");
      for (String f : model.features()) {
        if (!f.equals("linear") && !f.equals("noise")) {
          assertThat(f).doesNotContain("linear").doesNotContain("noise");
        }
      }
      assertThat(model.score(test)).isGreaterThan(0.99);
      assertThat(model.report().decisions())
          .anyMatch(
              d ->
                  d.startsWith(
                      "feature engineering starts from 2 of the 4 input columns"
                          + " (featureEngineeringColumns); the other 2 compete in selection"));
      // far fewer candidates than from all four columns
      try (AutoFeatModel all =
          AutoFeatProcessor.builder().featureEngineeringSteps(2).build().fit(scope, train)) {
        assertThat(model.report().candidatesComputed())
            .isLessThan(all.report().candidatesComputed() / 3);
      }
    }
    assertThat(processor.toString()).contains("featureEngineeringColumns=[a, b]");
  }

  @Test
  void aCategoricalColumn_standsForItsZeroOneColumns_andUnknownNamesAreRefused() {
    StringBuilder csv = new StringBuilder("a,shop,y\n");
    Random r = new Random(3);
    for (int i = 0; i < 200; i++) {
      double a = 1 + r.nextDouble();
      String shop = i % 2 == 0 ? "north" : "south";
      csv.append(a).append(',').append(shop).append(',');
      csv.append(a * (shop.equals("north") ? 2 : -1) + 0.01 * r.nextGaussian()).append('\n');
    }
    Dataset d =
        Dataset.readCsv(new StringReader(csv.toString()), "y", List.of("shop"), "shops.csv");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .featureEngineeringColumns(List.of("a", "shop"))
                .build()
                .fit(scope, d)) {
      // every column is named, so it is the fit without the setting
      assertThat(model.report().decisions())
          .noneMatch(s -> s.startsWith("feature engineering starts from"));
      assertThat(model.score(d)).isGreaterThan(0.99);
    }
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      AutoFeatProcessor unknown =
          AutoFeatProcessor.builder().featureEngineeringColumns(List.of("a", "colour")).build();
      assertThatThrownBy(() -> unknown.fit(scope, d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("featureEngineeringColumns names 'colour'")
          .hasMessageContaining("(categorical: [shop])");
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThatThrownBy(
            () -> AutoFeatProcessor.builder().featureEngineeringColumns(List.of("a", "a")))
        .hasMessageContaining("names 'a' twice");
  }

  @Test
  void aStreamedFit_andAClassifier_engineerFromTheNamedColumnsOnly(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    Dataset d = data(3_000, 4);
    StringBuilder csv = new StringBuilder("a,b,linear,noise,y\n");
    double[] y = d.target();
    for (int i = 0; i < d.rows(); i++) {
      csv.append(d.column("a")[i]).append(',').append(d.column("b")[i]).append(',');
      csv.append(d.column("linear")[i]).append(',').append(d.column("noise")[i]).append(',');
      csv.append(y[i]).append('\n');
    }
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .featureEngineeringColumns(List.of("a", "b"))
            .maxSampleRows(1_000)
            .build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("data.csv"), csv);
      try (CsvSource source = CsvSource.open(file, "y");
          AutoFeatModel model = processor.fit(scope, source)) {
        assertThat(model.rows().finalModelRows()).isEqualTo(3_000);
        assertOnlyFromAAndB(model);
      }
      // a name the file lacks is refused before the first row is read
      try (CsvSource source = CsvSource.of(new StringReader(csv.toString()), "y", "data.csv")) {
        AutoFeatProcessor wrong =
            AutoFeatProcessor.builder().featureEngineeringColumns(List.of("a", "bee")).build();
        assertThatThrownBy(() -> wrong.fit(scope, source))
            .hasMessageContaining("featureEngineeringColumns names 'bee'");
        assertThat(source.rowsRead()).isZero();
      }
      double median = java.util.Arrays.stream(y).sorted().toArray()[y.length / 2];
      double[] classes = java.util.Arrays.stream(y).map(v -> v > median ? 1 : 0).toArray();
      Dataset labelled =
          Dataset.of(
              d.names(),
              new double[][] {d.column("a"), d.column("b"), d.column("linear"), d.column("noise")},
              classes);
      try (AutoFeatModel model =
          AutoFeatProcessor.builder()
              .problemType(ProblemType.CLASSIFICATION)
              .featureEngineeringSteps(2)
              .featureEngineeringColumns(List.of("a", "b"))
              .build()
              .fit(scope, labelled)) {
        assertOnlyFromAAndB(model);
        assertThat(model.score(labelled)).isGreaterThan(0.9);
      }
    }
  }

  @Test
  void aCategoricalColumnNamedAlone_engineersItsZeroOneColumns() {
    StringBuilder csv = new StringBuilder("a,z,shop,y\n");
    Random r = new Random(5);
    for (int i = 0; i < 300; i++) {
      double a = 1 + r.nextDouble();
      String shop = new String[] {"north", "south", "east"}[i % 3];
      csv.append(a).append(',').append(r.nextGaussian()).append(',').append(shop).append(',');
      csv.append(a + (shop.equals("north") ? 2 : 0) + 0.01 * r.nextGaussian()).append('\n');
    }
    Dataset d =
        Dataset.readCsv(new StringReader(csv.toString()), "y", List.of("shop"), "shops.csv");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .featureEngineeringColumns(List.of("shop"))
                .build()
                .fit(scope, d)) {
      assertThat(model.report().decisions())
          .anyMatch(s -> s.startsWith("feature engineering starts from 3 of the 5 input columns"));
      for (String f : model.features()) {
        if (!f.equals("a") && !f.equals("z")) {
          assertThat(f).as(f).startsWith("cat_shop_").doesNotContain("*a").doesNotContain("z");
        }
      }
    }
  }

  private static void assertOnlyFromAAndB(AutoFeatModel model) {
    for (String f : model.features()) {
      if (!f.equals("linear") && !f.equals("noise")) {
        assertThat(f).as(f).doesNotContain("linear").doesNotContain("noise");
      }
    }
  }
}
