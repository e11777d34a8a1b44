package io.memguard.monitor.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClassHistogramTest {
  static final String TEXT =
      """
       num     #instances         #bytes  class name (module)
      -------------------------------------------------------
         1:         14299       44474488  [B (java.base@17.0.15)
         2:         13044         313056  java.lang.String (java.base@17.0.15)
         3:          1000          32000  com.example.Leaky$Record
         4:             3             72  [Lcom.example.Leaky$Record;
         5:            10            240  [Ljava.lang.Object; (java.base@17.0.15)
         6:             1             16  com.example.Leaky$$Lambda$1/0x00007f027c005540
         7:             2             64  com.example.Leaky$Record
      Total         28359       44820008
      """;

  @Test
  void parse_readsEntriesModulesAndMergesDuplicateNames() {
    ClassHistogram h = ClassHistogram.parse(TEXT, 5);
    assertThat(h.nanoTime()).isEqualTo(5);
    assertThat(h.entries()).hasSize(6);
    ClassHistogram.Entry bytes = h.entries().get("[B");
    assertThat(bytes.instances()).isEqualTo(14299);
    assertThat(bytes.bytes()).isEqualTo(44474488);
    assertThat(bytes.module()).isEqualTo("java.base");
    ClassHistogram.Entry record = h.entries().get("com.example.Leaky$Record");
    assertThat(record.instances()).isEqualTo(1002);
    assertThat(record.bytes()).isEqualTo(32064);
    assertThat(record.module()).isNull();
    assertThat(h.totalBytes()).isEqualTo(44474488L + 313056 + 32000 + 72 + 240 + 16 + 64);
  }

  @Test
  void isPlatform_separatesJdkFromApplicationClasses() {
    ClassHistogram h = ClassHistogram.parse(TEXT, 0);
    assertThat(h.entries().get("[B").isPlatform()).isTrue();
    assertThat(h.entries().get("java.lang.String").isPlatform()).isTrue();
    assertThat(h.entries().get("[Ljava.lang.Object;").isPlatform()).isTrue();
    assertThat(h.entries().get("com.example.Leaky$Record").isPlatform()).isFalse();
    assertThat(h.entries().get("[Lcom.example.Leaky$Record;").isPlatform()).isFalse();
    assertThat(new ClassHistogram.Entry("[[I", null, 1, 1).isPlatform()).isTrue();
    assertThat(new ClassHistogram.Entry("sun.misc.Foo", null, 1, 1).isPlatform()).isTrue();
    assertThat(new ClassHistogram.Entry("io.memguard.core.DefaultScope", null, 1, 1).isPlatform())
        .as("memguard's bookkeeping of a scope left open: the scope, not the class, is the lead")
        .isTrue();
    assertThat(new ClassHistogram.Entry("io.memguard.bench.Leaky", null, 1, 1).isPlatform())
        .isFalse();
  }

  @Test
  void parse_rejectsTextWithoutEntries() {
    assertThatThrownBy(() -> ClassHistogram.parse("Permission denied\n", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Permission denied");
  }

  @Test
  void diagnosticCommand_takesARealHistogramOfThisJvm() throws Exception {
    ClassHistogram h = new DiagnosticCommandHistograms().take(1);
    assertThat(h.entries()).containsKey("java.lang.String");
    assertThat(h.entries()).containsKey(ClassHistogramTest.class.getName());
  }
}
