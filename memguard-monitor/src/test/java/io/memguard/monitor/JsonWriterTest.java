package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonWriterTest {
  @Test
  void writesNestedDocumentsWithEscapesAndNullForNonFinite() {
    String json =
        new JsonWriter()
            .beginObject()
            .field("a", 1)
            .field("b", "x\"y\n")
            .field("c", Double.NaN)
            .field("d", 0.5)
            .name("e")
            .beginArray()
            .value(1)
            .beginObject()
            .field("f", true)
            .endObject()
            .endArray()
            .name("g")
            .value((String) null)
            .endObject()
            .toString();
    assertThat(json)
        .isEqualTo(
            "{\"a\":1,\"b\":\"x\\\"y\\n\",\"c\":null,\"d\":0.5,\"e\":[1,{\"f\":true}],\"g\":null}");
  }

  @Test
  void wholeDoublesPrintWithoutFraction() {
    assertThat(new JsonWriter().value(3.0).toString()).isEqualTo("3");
    assertThat(new JsonWriter().value(1.0e20).toString()).isEqualTo("1.0E20");
  }
}
