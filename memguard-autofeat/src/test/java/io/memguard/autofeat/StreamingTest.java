package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamingTest {

  @TempDir static Path dir;

  private static MemoryManager memory;
  private static MemoryScope fitScope;
  private static AutoFeatModel model;
  private static Dataset test;
  private static Path testCsv;

  @BeforeAll
  static void fit() throws IOException {
    memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
    fitScope = memory.openScope("fit");
    Dataset.Split split = TestData.synthetic();
    model =
        AutoFeatProcessor.builder().featureEngineeringSteps(2).build().fit(fitScope, split.train());
    test = split.test();
    testCsv = dir.resolve("test.csv");
    write(test, testCsv);
  }

  @AfterAll
  static void close() {
    model.close();
    fitScope.close();
    memory.close();
  }

  /** The data set as CSV, target last, values as Double.toString writes them. */
  static void write(Dataset d, Path file) throws IOException {
    StringBuilder sb = new StringBuilder(String.join(",", d.names())).append(",target\n");
    double[] y = d.target();
    for (int i = 0; i < d.rows(); i++) {
      for (String name : d.names()) {
        sb.append(d.column(name)[i]).append(',');
      }
      sb.append(y[i]).append('\n');
    }
    Files.writeString(file, sb, StandardCharsets.UTF_8);
  }

  @Test
  void transformCsv_writesEachRecordAndTheFeaturesTheModelComputesInMemory() throws IOException {
    Path out = dir.resolve("features.csv");
    try (MemoryScope scope = memory.openScope("transform")) {
      StreamReport report = model.transformCsv(testCsv, out, scope);
      assertThat(report.rows()).isEqualTo(test.rows());
      assertThat(scope.reservedBytes()).isZero();
      assertThat(scope.peakReservedBytes()).isEqualTo(report.workingSetBytes()).isPositive();
    }
    List<String> lines = Files.readAllLines(out);
    List<String> input = Files.readAllLines(testCsv);
    assertThat(lines).hasSize(input.size());
    // the features that are an input column as it is are in the record already
    List<Integer> written = new java.util.ArrayList<>();
    for (int k = 0; k < model.features().size(); k++) {
      if (!model.inputNames().contains(model.features().get(k))) {
        written.add(k);
      }
    }
    assertThat(written).hasSizeLessThan(model.features().size()); // the case this checks
    assertThat(lines.get(0))
        .isEqualTo(
            input.get(0)
                + ","
                + String.join(",", written.stream().map(k -> model.features().get(k)).toList())
                    .replace("\"", ""));
    double[][] all = model.transform(test);
    double[][] expected = written.stream().map(k -> all[k]).toArray(double[][]::new);
    for (int i = 0; i < test.rows(); i++) {
      String line = lines.get(i + 1);
      assertThat(line).startsWith(input.get(i + 1) + ",");
      String[] values = line.substring(input.get(i + 1).length() + 1).split(",", -1);
      assertThat(values).hasSize(expected.length);
      for (int k = 0; k < expected.length; k++) {
        double e = expected[k][i];
        if (Double.isNaN(e)) {
          assertThat(values[k]).isEmpty();
        } else {
          assertThat(Double.doubleToRawLongBits(Double.parseDouble(values[k])))
              .isEqualTo(Double.doubleToRawLongBits(e));
        }
      }
    }
  }

  @Test
  void transformCsv_output_readsBackAsADataset() throws IOException {
    Path out = dir.resolve("features-back.csv");
    try (MemoryScope scope = memory.openScope("transform-back")) {
      model.transformCsv(testCsv, out, scope);
    }
    String header = Files.readAllLines(out).get(0);
    assertThat(Dataset.fromCsv(out, "target").rows()).isEqualTo(test.rows());
    assertThat(header.split(",", -1)).doesNotHaveDuplicates();
  }

  @Test
  void transformCsv_withBlockRows_takesBlocksOfThatSize_andWritesTheSameFile() throws IOException {
    Path sized = dir.resolve("features-auto.csv");
    Path fixed = dir.resolve("features-7.csv");
    try (MemoryScope scope = memory.openScope("transform-blocks")) {
      StreamReport auto = model.transformCsv(testCsv, sized, scope, 0);
      StreamReport seven = model.transformCsv(testCsv, fixed, scope, 7);
      assertThat(seven.blockRows()).isEqualTo(7);
      assertThat(seven.blocks()).isEqualTo((test.rows() + 6) / 7);
      assertThat(seven.workingSetBytes()).isLessThan(auto.workingSetBytes());
      assertThat(auto.blockRows()).isGreaterThan(7);
    }
    assertThat(Files.readAllLines(fixed)).isEqualTo(Files.readAllLines(sized));
  }

  @Test
  void transformCsv_overItsOwnInput_isRefusedBeforeTheFileIsTouched() throws IOException {
    Path copy = dir.resolve("same.csv");
    Files.copy(testCsv, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    byte[] before = Files.readAllBytes(copy);
    try (MemoryScope scope = memory.openScope("same-file")) {
      assertThatThrownBy(() -> model.transformCsv(copy, copy, scope))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("over its own input");
    }
    assertThat(Files.readAllBytes(copy)).isEqualTo(before);
  }

  @Test
  void predictCsv_appendsBitIdenticalPredictions() throws IOException {
    Path out = dir.resolve("predictions.csv");
    try (MemoryScope scope = memory.openScope("predict")) {
      model.predictCsv(testCsv, out, scope);
    }
    List<String> lines = Files.readAllLines(out);
    assertThat(lines.get(0)).endsWith(",target,prediction");
    double[] expected = model.predict(test);
    for (int i = 0; i < expected.length; i++) {
      String line = lines.get(i + 1);
      double p = Double.parseDouble(line.substring(line.lastIndexOf(',') + 1));
      assertThat(Double.doubleToRawLongBits(p)).isEqualTo(Double.doubleToRawLongBits(expected[i]));
    }
  }

  @Test
  void aSmallScope_getsSmallBlocks_andTheSameResult() throws IOException {
    double[][] expected = model.transform(test);
    double[] sums = new double[expected.length];
    long[] blocks = {0};
    try (MemoryScope small = memory.openScope("small", MemorySize.ofKibibytes(1200));
        CsvSource source = CsvSource.open(testCsv, "target")) {
      StreamReport report =
          model.transform(
              source,
              small,
              (rows, inputs, features) -> {
                blocks[0]++;
                for (int k = 0; k < features.length; k++) {
                  for (int i = 0; i < rows; i++) {
                    sums[k] += features[k][i];
                  }
                }
              });
      assertThat(report.blockRows()).isLessThan(ModelStreams.MAX_BLOCK_ROWS);
      assertThat(report.workingSetBytes()).isLessThanOrEqualTo(small.limitBytes());
      assertThat(blocks[0]).isEqualTo(report.blocks()).isGreaterThan(1);
    }
    for (int k = 0; k < expected.length; k++) {
      double s = 0;
      for (double v : expected[k]) {
        s += v;
      }
      assertThat(sums[k]).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-9 * Math.abs(s)));
    }
  }

  @Test
  void aSourceReadInBlocks_givesTheRowsFromCsvGives() {
    Dataset whole = Dataset.fromCsv(testCsv, "target");
    try (CsvSource source = CsvSource.open(testCsv, "target")) {
      assertThat(source.names()).isEqualTo(whole.names());
      int row = 0;
      for (Dataset block = source.next(37); block != null; block = source.next(37)) {
        for (String name : whole.names()) {
          for (int i = 0; i < block.rows(); i++) {
            assertThat(block.column(name)[i]).isEqualTo(whole.column(name)[row + i]);
          }
        }
        row += block.rows();
      }
      assertThat(row).isEqualTo(whole.rows());
      assertThat(source.rowsRead()).isEqualTo(whole.rows());
    }
  }

  @Test
  void blocksSizedByTheBudget_readEveryRow_withinAQuarterOfTheScope() {
    try (MemoryScope scope = memory.openScope("blocks", MemorySize.ofKibibytes(16));
        CsvSource source = CsvSource.open(testCsv, "target")) {
      int rows = source.blockRows(scope);
      // 8 bytes per value and 4 for the target's label code, per row
      assertThat(rows).isEqualTo((int) ((16L << 10) / 4 / (8L * source.columns().size() + 4)));
      long read = 0;
      int blocks = 0;
      for (Dataset block = source.next(rows); block != null; block = source.next(rows)) {
        try (io.memguard.core.Reservation held = scope.reserve(block.estimatedBytes())) {
          assertThat(block.rows()).isLessThanOrEqualTo(rows);
          read += block.rows();
          blocks++;
        }
      }
      assertThat(read).isEqualTo(test.rows());
      assertThat(blocks).isGreaterThan(1);
      assertThat(scope.peakReservedBytes()).isLessThanOrEqualTo(scope.limitBytes());
    }
  }

  @Test
  void badCells_wrongWidths_andMissingColumns_nameWhereTheyAre() throws IOException {
    String header = String.join(",", test.names()) + ",target\n";
    StringBuilder row = new StringBuilder("1");
    for (int j = 1; j <= test.names().size(); j++) {
      row.append(',').append(j + 1);
    }
    String good = row + "\n";
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, header + good.repeat(3) + good.replace("2", "two"));
    try (MemoryScope scope = memory.openScope("bad")) {
      assertThatThrownBy(() -> model.transformCsv(bad, dir.resolve("o1.csv"), scope))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bad.csv line 5, column '")
          .hasMessageContaining("'two' is not a finite number");
      Files.writeString(bad, header + good + "1,2\n");
      assertThatThrownBy(() -> model.transformCsv(bad, dir.resolve("o2.csv"), scope))
          .hasMessageContaining("bad.csv line 3 has 2 fields, the header has");
      Files.writeString(bad, "a,b\n1,2\n");
      assertThatThrownBy(() -> model.transformCsv(bad, dir.resolve("o3.csv"), scope))
          .hasMessageContaining("the model reads column '")
          .hasMessageContaining("its features are [a, b]");
      assertThat(scope.reservedBytes()).isZero();
    }
    assertThatThrownBy(() -> CsvSource.of(new StringReader("a,a\n1,2\n"), null, "dup"))
        .hasMessageContaining("two columns named 'a'");
  }
}
