package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FlatJsonTest {
  @Test
  void roundTripsWhatJsonWrites() {
    Json.JsonObject o = Json.object().put("s", "a\"b\n\\c").put("l", 42L).put("d", 0.5).put("t", true)
        .put("n", null).put("neg", -3L).put("e", 1.0E20);
    Json.JsonObject back = FlatJson.parse(o.toString());
    assertThat(back.toString()).isEqualTo(o.toString());
    assertThat(back.get("l")).isEqualTo(42L);
    assertThat(back.get("d")).isEqualTo(0.5);
  }

  @Test
  void rejectsNestingWithThePosition() {
    assertThatThrownBy(() -> FlatJson.parse("{\"a\":[1]}"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("position 5");
  }

  @Test
  void emptyObject() {
    assertThat(FlatJson.parse(" {} ").toString()).isEqualTo("{}");
  }
}
