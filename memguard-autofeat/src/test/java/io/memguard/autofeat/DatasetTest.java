package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetTest {

  @Test
  void readCsv_targetAnywhere_featuresInFileOrder() {
    Dataset d = Dataset.readCsv(new StringReader("a,target,b\n1,10,2\n\n3,30,4\n"), "target", "t");
    assertThat(d.names()).containsExactly("a", "b");
    assertThat(d.rows()).isEqualTo(2);
    assertThat(d.column("b")).containsExactly(2, 4);
    assertThat(d.target()).containsExactly(10, 30);
    assertThat(d.estimatedBytes()).isEqualTo(2 * 3 * 8);
  }

  @Test
  void readCsv_badValue_namesSourceLineAndColumn() {
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n1,2\nx,3\n"), "target", "data.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("data.csv line 3, column 'a': 'x' is not a finite number; ")
        .hasMessageContaining("Dataset.fromCsv(file, target, List.of(\"a\"))");
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n1,2\n,3\n"), "target", "data.csv"))
        .hasMessageStartingWith("data.csv line 3, column 'a': '' is not a finite number; ")
        .hasMessageContaining("missing value")
        .hasMessageContaining("impute or drop");
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n1e400,2\n"), "target", "data.csv"))
        .hasMessageContaining("'1e400' is not a finite number; scale the column");
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n1,NaN\n"), "target", "data.csv"))
        .hasMessageContaining("column 'target': 'NaN'");
    assertThatThrownBy(() -> Dataset.readCsv(new StringReader("a,y\n1,2\n"), "target", "d.csv"))
        .hasMessageContaining("no column 'target'")
        .hasMessageContaining("[a, y]");
    assertThatThrownBy(() -> Dataset.readCsv(new StringReader("a,target\n1\n"), "target", "d.csv"))
        .hasMessageContaining("line 2 has 1 fields");
  }

  @Test
  void readCsv_quotedFields_holdCommasLineBreaksAndDoubledQuotes() {
    Dataset d =
        Dataset.readCsv(
            new StringReader(
                "\"x, the \"\"first\"\"\",\"line\nbreak\",target\n\"1.5\", 2 ,\"3\"\n"),
            "target",
            "t");
    assertThat(d.names()).containsExactly("x, the \"first\"", "line\nbreak");
    assertThat(d.column("x, the \"first\"")).containsExactly(1.5);
    assertThat(d.column("line\nbreak")).containsExactly(2);
    assertThat(d.target()).containsExactly(3);
  }

  @Test
  void readCsv_byteOrderMarkAndCrLf_areRead() {
    Dataset d =
        Dataset.readCsv(new StringReader("\uFEFFa,target\r\n1,2\r\n\r\n3,4\r\n"), "target", "t");
    assertThat(d.names()).containsExactly("a");
    assertThat(d.column("a")).containsExactly(1, 3);
    assertThat(d.target()).containsExactly(2, 4);
    Dataset cr = Dataset.readCsv(new StringReader("a,target\r1,2\r3,4"), "target", "t");
    assertThat(cr.target()).containsExactly(2, 4);
  }

  @Test
  void readCsv_lineNumbersCountLineBreaksInsideQuotes() {
    assertThatThrownBy(
            () ->
                Dataset.readCsv(
                    new StringReader("\"a\nb\",target\n1,2\nx,3\n"), "target", "data.csv"))
        .hasMessageStartingWith("data.csv line 4, column 'a\nb': 'x' is not a finite number; ");
  }

  @Test
  void readCsv_malformedQuoting_namesTheLine() {
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n\"1,2\n"), "target", "d.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d.csv line 2: a quoted field is not closed");
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n\"1\"x,2\n"), "target", "d.csv"))
        .hasMessageContaining("d.csv line 2: text after a closing quote");
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("a,target\n1\"2,2\n"), "target", "d.csv"))
        .hasMessageContaining("d.csv line 2: a quote inside an unquoted field");
  }

  @Test
  void readCsv_targetTwice_isRejected() {
    assertThatThrownBy(
            () -> Dataset.readCsv(new StringReader("target,a,target\n1,2,1\n"), "target", "d.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d.csv has two columns named 'target' (columns 1 and 3)");
    assertThatThrownBy(
            () ->
                Dataset.readCsv(
                    new StringReader("target,a,\"target\"\n1,2,1\n"), "target", "d.csv"))
        .hasMessageContaining("two columns named 'target'");
  }

  @Test
  void of_nonFiniteValue_namesColumnAndRow() {
    assertThatThrownBy(
            () ->
                Dataset.of(
                    List.of("a", "b"),
                    new double[][] {{1, 2}, {3, Double.POSITIVE_INFINITY}},
                    new double[] {1, 2}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("column 'b' row 1 is Infinity");
    assertThatThrownBy(() -> Dataset.of(List.of("a", "a"), new double[2][1], new double[1]))
        .hasMessageContaining("'a' appears twice");
  }

  @Test
  void of_copiesItsInput() {
    double[][] cols = {{1, 2}};
    double[] y = {3, 4};
    Dataset d = Dataset.of(List.of("a"), cols, y);
    cols[0][0] = 99;
    y[0] = 99;
    assertThat(d.column("a")).containsExactly(1, 2);
    assertThat(d.target()).containsExactly(3, 4);
  }

  @Test
  void split_testRowsInGivenOrder_trainRowsInFileOrder(@TempDir Path dir) throws IOException {
    Path idx = dir.resolve("idx.txt");
    Files.writeString(idx, "3\n1\n\n");
    Dataset d = Dataset.of(List.of("a"), new double[][] {{0, 1, 2, 3, 4}}, new double[5]);
    Dataset.Split s = d.split(Dataset.readIndices(idx));
    assertThat(s.test().column("a")).containsExactly(3, 1);
    assertThat(s.train().column("a")).containsExactly(0, 2, 4);
    assertThatThrownBy(() -> d.split(new int[] {5}))
        .hasMessage("row index 5 is out of range for 5 rows");
    assertThatThrownBy(() -> d.split(new int[] {1, 1})).hasMessageContaining("twice");
    assertThatThrownBy(() -> Dataset.readIndices(new StringReader("1\n-2\n"), "i.txt"))
        .hasMessageContaining("i.txt line 2");
  }

  @Test
  void sharedSplits_giveTheReferenceSizes() {
    assertThat(TestData.synthetic().train().rows()).isEqualTo(1600);
    assertThat(TestData.synthetic().test().rows()).isEqualTo(400);
    assertThat(TestData.diabetes().train().rows()).isEqualTo(354);
  }

  @Test
  void aFileSeparatedBySemicolonsOrTabs_isNamedSo() {
    assertThatThrownBy(
            () ->
                Dataset.readCsv(
                    new java.io.StringReader("a;b;target\n1;2;3\n"), "target", "eu.csv"))
        .hasMessageContaining("eu.csv has no column 'target'")
        .hasMessageContaining("seems to be separated by ';'");
    assertThatThrownBy(
            () ->
                CsvSource.of(
                    new java.io.StringReader("a\tb\ttarget\n1\t2\t3\n"), "target", "t.tsv"))
        .hasMessageContaining("seems to be separated by tabs");
    assertThatThrownBy(
            () -> Dataset.readCsv(new java.io.StringReader("a,b\n1,2\n"), "target", "plain.csv"))
        .hasMessageNotContaining("separated by");
  }

  @Test
  void aFileThatIsNotUtf8_isNamedSo_readWholeOrStreamed(@org.junit.jupiter.api.io.TempDir Path dir)
      throws java.io.IOException {
    Path latin1 = dir.resolve("latin1.csv");
    StringBuilder text = new StringBuilder("city,a,target\n");
    for (int i = 0; i < 3; i++) {
      text.append("Bern,1,2\n");
    }
    text.append("Z\u00fcrich,1,2\n");
    java.nio.file.Files.write(
        latin1, text.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> Dataset.fromCsv(latin1, "target", List.of("city")))
        .hasMessageContaining("latin1.csv is not UTF-8 text")
        .hasMessageContaining("Save the file as UTF-8");
    assertThatThrownBy(
            () -> {
              try (CsvSource source = CsvSource.open(latin1, "target", Categories.none())) {
                while (source.advance()) {
                  // reads every record
                }
              }
            })
        .hasMessageContaining("latin1.csv is not UTF-8 text");
    // read with its charset, it is a data set like any other
    try (java.io.Reader r =
        java.nio.file.Files.newBufferedReader(
            latin1, java.nio.charset.StandardCharsets.ISO_8859_1)) {
      Dataset d = Dataset.readCsv(r, "target", List.of("city"), "latin1.csv");
      assertThat(d.categories().categories("city")).containsExactly("Bern", "Z\u00fcrich");
    }
  }
}
