package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlatJsonTest {
  @Test
  void roundTripsWhatJsonWrites() {
    Json.JsonObject o =
        Json.object()
            .put("s", "a\"b\n\\c")
            .put("l", 42L)
            .put("d", 0.5)
            .put("t", true)
            .put("n", null)
            .put("neg", -3L)
            .put("e", 1.0E20);
    Json.JsonObject back = FlatJson.parse(o.toString());
    assertThat(back.toString()).isEqualTo(o.toString());
    assertThat(back.get("l")).isEqualTo(42L);
    assertThat(back.get("d")).isEqualTo(0.5);
  }

  @Test
  void readsArraysOfFlatValues() {
    Json.JsonObject o =
        Json.object()
            .put("f", java.util.List.of("x1", "1/(x2 - 1/x3)"))
            .put("e", java.util.List.of())
            .put("n", java.util.List.of(1L, 2.5));
    assertThat(FlatJson.parse(o.toString()).toString()).isEqualTo(o.toString());
  }

  @Test
  void rejectsNestingWithThePosition() {
    assertThatThrownBy(() -> FlatJson.parse("{\"a\":{\"b\":1}}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position 5");
    assertThatThrownBy(() -> FlatJson.parse("{\"a\":[[1]]}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("position 6");
  }

  @Test
  void emptyObject() {
    assertThat(FlatJson.parse(" {} ").toString()).isEqualTo("{}");
  }
}
