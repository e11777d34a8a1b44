package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FuzzScenarioTest {

  private static final List<String> NAMES = List.of("x1", "x2", "x3", "x4", "x5", "x6");

  @Test
  void engineered_isASeededShareOfTheColumns_inTheirOrder() {
    List<String> half = FuzzScenario.engineered(NAMES, 0.5, 42);
    assertThat(half).hasSize(3);
    assertThat(NAMES).containsSubsequence(half);
    assertThat(FuzzScenario.engineered(NAMES, 0.5, 42)).isEqualTo(half);
    // some seed draws another share: the choice depends on the case
    boolean differs = false;
    for (long seed = 0; seed < 20 && !differs; seed++) {
      differs = !FuzzScenario.engineered(NAMES, 0.5, seed).equals(half);
    }
    assertThat(differs).isTrue();
    assertThat(FuzzScenario.engineered(NAMES, 0.01, 1)).hasSize(1);
  }

  @Test
  void noShare_allOfThem_orOneColumn_meanEveryColumn() {
    assertThat(FuzzScenario.engineered(NAMES, 0, 1)).isEmpty();
    assertThat(FuzzScenario.engineered(NAMES, 1, 1)).isEmpty();
    assertThat(FuzzScenario.engineered(NAMES, 0.99, 1)).isEmpty();
    assertThat(FuzzScenario.engineered(List.of("x1"), 0.5, 1)).isEmpty();
  }

  @Test
  void units_areSeeded_readable_andOnlyForTheDataColumns() {
    String all = FuzzScenario.units(NAMES, 1, 7);
    assertThat(all.split(",")).hasSize(NAMES.size());
    assertThat(FuzzScenario.units(NAMES, 1, 7)).isEqualTo(all);
    java.util.Map<String, String> parsed = AutoFeatScenario.units(all);
    assertThat(parsed.keySet()).containsExactlyElementsOf(NAMES);
    io.memguard.autofeat.AutoFeatProcessor.builder().units(parsed);
    assertThat(FuzzScenario.units(NAMES, 0, 7)).isEmpty();
    boolean partial = false;
    for (long seed = 0; seed < 20 && !partial; seed++) {
      int n = FuzzScenario.units(NAMES, 0.5, seed).split(",").length;
      partial = n > 0 && n < NAMES.size();
    }
    assertThat(partial).isTrue();
  }
}
