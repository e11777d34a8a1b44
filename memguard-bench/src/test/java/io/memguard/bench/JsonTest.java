package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void roundTripsWhatJsonWrites() {
    Json.JsonObject o =
        Json.object()
            .put("s", "a\"b\n\\c")
            .put("l", 42L)
            .put("big", 67108864L * 1024)
            .put("d", 0.5)
            .put("t", true)
            .put("n", null)
            .put("neg", -3L)
            .put("e", 1.0E20);
    assertThat(o.toString())
        .isEqualTo(
            "{\"s\":\"a\\\"b\\n\\\\c\",\"l\":42,\"big\":68719476736,\"d\":0.5,\"t\":true,"
                + "\"n\":null,\"neg\":-3,\"e\":1.0E20}");
    Json.JsonObject back = Json.parse(o.toString());
    assertThat(back.toString()).isEqualTo(o.toString());
    assertThat(back.get("l")).isEqualTo(42L);
    assertThat(back.get("big")).isEqualTo(68719476736L);
    assertThat(back.get("d")).isEqualTo(0.5);
    assertThat(back.get("s")).isEqualTo("a\"b\n\\c");
  }

  @Test
  void nonFiniteNumbersAreWrittenAsNull() {
    assertThat(Json.object().put("nan", Double.NaN).put("inf", Double.POSITIVE_INFINITY).toString())
        .isEqualTo("{\"nan\":null,\"inf\":null}");
  }

  @Test
  void readsArraysAndNestedObjects() {
    Json.JsonObject o =
        Json.object()
            .put("f", List.of("x1", "1/(x2 - 1/x3)"))
            .put("e", List.of())
            .put("n", List.of(1L, 2.5))
            .put("cases", List.of(Json.object().put("dataset", "iris").put("steps", 2)));
    Json.JsonObject back = Json.parse(o.toString());
    assertThat(back.toString()).isEqualTo(o.toString());
    @SuppressWarnings("unchecked")
    List<Json.JsonObject> cases = (List<Json.JsonObject>) back.get("cases");
    assertThat(cases.get(0).get("dataset")).isEqualTo("iris");
  }

  @Test
  void rejectsWhatIsNotOneObject() {
    assertThatThrownBy(() -> Json.parse("{\"a\":"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
    assertThatThrownBy(() -> Json.parse("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON object");
  }

  @Test
  void emptyObject() {
    assertThat(Json.parse(" {} ").toString()).isEqualTo("{}");
  }
}
