package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PathOptionsTest {

  @Test
  void selectionDefaults_exactHomotopyForRegression_coordinateDescentForClassification() {
    PathOptions regression = PathOptions.forSelection(TargetKind.REGRESSION);
    PathOptions classification = PathOptions.forSelection(TargetKind.CLASSIFICATION);

    assertThat(regression.solver()).isEqualTo(PathOptions.Solver.LARS);
    assertThat(regression.patience()).isZero();
    assertThat(regression.maxCvRise()).isPositive();
    assertThat(classification.solver()).isEqualTo(PathOptions.Solver.COORDINATE_DESCENT);
    assertThat(classification.patience()).isPositive();
    assertThat(PathOptions.forFinalModel().solver())
        .isEqualTo(PathOptions.Solver.COORDINATE_DESCENT);
    assertThat(PathOptions.forFinalModel().patience()).isZero();
    assertThat(PathOptions.forFinalModel(TargetKind.CLASSIFICATION).patience()).isPositive();
  }

  @Test
  void cvRiseStop_firesOnceTheErrorClimbsTheGivenShareBackToTheFirstPenalty() {
    PathOptions o = PathOptions.forSelection().withMaxCvRise(0.1);

    assertThat(o.cvRiseStop(0.19, 0.1, 1.0)).isFalse();
    assertThat(o.cvRiseStop(0.1901, 0.1, 1.0)).isTrue();
    assertThat(o.withMaxCvRise(0).cvRiseStop(5.0, 0.1, 1.0)).isFalse();
  }

  @Test
  void copies_keepEveryOtherSetting() {
    PathOptions o = PathOptions.forSelection();

    PathOptions copy =
        o.withPatience(7).withMaxCvRise(0.2).withGrid(40, 1e-2).withDevianceStops(0.9, 1e-4);

    assertThat(copy.solver()).isEqualTo(o.solver());
    assertThat(copy.maxSteps()).isEqualTo(o.maxSteps());
    assertThat(copy.patience()).isEqualTo(7);
    assertThat(copy.maxCvRise()).isEqualTo(0.2);
    assertThat(copy.lambdas()).isEqualTo(40);
    assertThat(copy.maxDevianceRatio()).isEqualTo(0.9);
  }

  @Test
  void rejectsInvalidSettings_namingTheField() {
    PathOptions o = PathOptions.forSelection();

    assertThatThrownBy(() -> o.withMaxCvRise(-0.1)).hasMessageContaining("maxCvRise");
    assertThatThrownBy(() -> o.withSolver(PathOptions.Solver.LARS, 0))
        .hasMessageContaining("maxSteps");
    assertThatThrownBy(() -> o.withSolver(null, 10)).hasMessageContaining("solver");
    assertThatThrownBy(() -> o.withPatience(-1)).hasMessageContaining("patience");
  }
}
