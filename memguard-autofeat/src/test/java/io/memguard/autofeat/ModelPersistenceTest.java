package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelPersistenceTest {

  @TempDir Path dir;

  private static MemoryManager manager() {
    return MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  @Test
  void aSavedRegressionModel_loadsWithTheSameFeaturesAndBitIdenticalPredictions() throws Exception {
    Dataset.Split split = TestData.diabetes();
    Path file = dir.resolve("diabetes.model");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .build()
                .fit(scope, split.train())) {
      model.save(file);
      if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        // saved as any new file is created here, not owner-only like a temporary file
        Path plain = Files.createFile(dir.resolve("plain"));
        assertThat(Files.getPosixFilePermissions(file))
            .isEqualTo(Files.getPosixFilePermissions(plain));
      }
      try (MemoryScope other = memory.openScope("loaded");
          AutoFeatModel loaded = AutoFeatModel.load(file, other)) {
        assertThat(loaded.features()).isEqualTo(model.features());
        assertThat(loaded.inputNames()).isEqualTo(model.inputNames());
        assertThat(loaded.problemType()).isEqualTo(ProblemType.REGRESSION);
        assertThat(loaded.coefficients()).isDeepEqualTo(model.coefficients());
        assertThat(loaded.intercepts()).isEqualTo(model.intercepts());
        assertThat(bits(loaded.predict(split.test()))).isEqualTo(bits(model.predict(split.test())));
        assertThat(loaded.score(split.test())).isEqualTo(model.score(split.test()));
        assertThat(other.reservedBytes()).isEqualTo(loaded.reservedBytes()).isPositive();

        FitReport saved = model.report();
        FitReport read = loaded.report();
        assertThat(read.rows()).isEqualTo(saved.rows());
        assertThat(read.seed()).isEqualTo(saved.seed());
        assertThat(read.plan()).isEqualTo(saved.plan());
        assertThat(read.decisions()).isEqualTo(saved.decisions());
        assertThat(read.features()).isEqualTo(saved.features());
        assertThat(read.lightweightReason()).isEqualTo(saved.lightweightReason());
        assertThat(read.phases()).isEmpty();
      }
    }
    String text = Files.readString(file);
    assertThat(text).startsWith("memguard-autofeat-model 1\nproblem-type REGRESSION\n");
    assertThat(text).contains("\nfeature (").containsPattern("\ncrc32 [0-9a-f]{8}\n$");
  }

  @Test
  void aSavedClassifier_roundTrips() throws Exception {
    Dataset all = TestData.classification(900, 3, 8);
    Dataset train = TestData.range(all, 0, 700);
    Dataset test = TestData.range(all, 700, 900);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .problemType(ProblemType.CLASSIFICATION)
                .featureEngineeringSteps(1)
                .build()
                .fit(scope, train)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.save(out);
      try (AutoFeatModel loaded =
          AutoFeatModel.load(new ByteArrayInputStream(out.toByteArray()), scope)) {
        assertThat(loaded.classes()).isEqualTo(model.classes()).hasSize(3);
        assertThat(bits(loaded.predict(test))).isEqualTo(bits(model.predict(test)));
      }
    }
  }

  @Test
  void namesWithSpacesPercentsAndNewlines_surviveTheFile() throws Exception {
    Dataset.Split split = TestData.synthetic();
    Dataset data = split.train();
    String[] names = {"a b", "100%", "line\nbreak", "\u00e9t\u00e9"};
    double[][] cols = new double[data.featureCount()][];
    for (int j = 0; j < cols.length; j++) {
      cols[j] = data.column(data.names().get(j));
    }
    Dataset renamed = Dataset.of(Arrays.asList(names).subList(0, cols.length), cols, data.target());
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder().featureEngineeringSteps(1).build().fit(scope, renamed)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.save(out);
      try (AutoFeatModel loaded =
          AutoFeatModel.load(new ByteArrayInputStream(out.toByteArray()), scope)) {
        assertThat(loaded.inputNames()).isEqualTo(model.inputNames());
        assertThat(loaded.features()).isEqualTo(model.features());
      }
    }
  }

  @Test
  void aCorruptTruncatedForeignOrNewerFile_isAClearError() throws Exception {
    byte[] good;
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .build()
                .fit(scope, TestData.diabetes().train())) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      model.save(out);
      good = out.toByteArray();

      String text = new String(good, StandardCharsets.UTF_8);
      int at = text.indexOf("intercepts 1 ") + "intercepts 1 ".length();
      char digit = text.charAt(at + 2);
      String flipped =
          text.substring(0, at + 2) + (digit == '7' ? '8' : '7') + text.substring(at + 3);
      assertThatThrownBy(() -> load(flipped, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("corrupt")
          .hasMessageContaining("checksum");

      assertThatThrownBy(() -> load(text.substring(0, text.length() / 2), scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("line");

      String cut = text.substring(0, text.indexOf("\nfit "));
      assertThatThrownBy(() -> load(cut, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("truncated");

      assertThatThrownBy(() -> load("id,price\n1,2\n", scope))
          .isInstanceOfSatisfying(
              ModelFormatException.class, e -> assertThat(e.line()).isEqualTo(1))
          .hasMessageContaining("not a saved memguard AutoFeat model")
          .hasMessageContaining("'id,price'");

      assertThatThrownBy(() -> load(text.replaceFirst("model 1\n", "model 4\n"), scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("format version 4")
          .hasMessageContaining("this memguard reads versions 1 to 3");
      // version 2 has the class labels' line after the classes
      assertThatThrownBy(
              () -> load(withChecksum(text.replaceFirst("model 1\n", "model 2\n")), scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("'class-labels ...'");

      String badFeature = withChecksum(text.replaceFirst("\nfeature \\(", "\nfeature (sqrt "));
      assertThatThrownBy(() -> load(badFeature, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageMatching("(?s)line \\d+: a feature that cannot be read: expected .*");

      String farColumn = withChecksum(text.replaceFirst("\\(x \\d+\\)", "(x 99)"));
      assertThatThrownBy(() -> load(farColumn, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("an input column between 0 and");
      // a count no file could back, a feature nested past any model's, CRLF line endings: each a
      // ModelFormatException naming the line, never an OutOfMemoryError or a StackOverflowError
      String hugeCount = text.replaceFirst("\ninputs \\d+\n", "\ninputs 2147483647\n");
      assertThatThrownBy(() -> load(hugeCount, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("line");
      String deep = "(fn LOG ".repeat(100_000) + "(x 0)" + ")".repeat(100_000);
      String nested = withChecksum(text.replaceFirst("\nfeature [^\n]*", "\nfeature " + deep));
      assertThatThrownBy(() -> load(nested, scope))
          .isInstanceOf(ModelFormatException.class)
          .hasMessageContaining("nested at most");
      assertThatThrownBy(() -> load(text.replace("\n", "\r\n"), scope))
          .isInstanceOfSatisfying(
              ModelFormatException.class, e -> assertThat(e.line()).isEqualTo(1))
          .hasMessageContaining("carriage return");
      assertThat(scope.liveReservations()).isEqualTo(1); // only the fitted model
    }
  }

  private static AutoFeatModel load(String text, MemoryScope scope) throws IOException {
    return AutoFeatModel.load(
        new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), scope);
  }

  /** The text with its checksum line recomputed (a well-formed file with a bad body). */
  static String withChecksum(String text) {
    String body = text.substring(0, text.lastIndexOf("crc32 "));
    CRC32 crc = new CRC32();
    crc.update(body.getBytes(StandardCharsets.UTF_8));
    return body
        + String.format("crc32 %08x%n", crc.getValue()).replace(System.lineSeparator(), "\n");
  }

  private static long[] bits(double[] values) {
    long[] b = new long[values.length];
    for (int i = 0; i < b.length; i++) {
      b[i] = Double.doubleToRawLongBits(values[i]);
    }
    return b;
  }
}
