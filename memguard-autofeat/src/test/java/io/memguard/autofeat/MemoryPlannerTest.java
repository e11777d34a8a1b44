package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.autofeat.internal.GenerationSurvey;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.FeatureColumn;
import io.memguard.autofeat.internal.feateng.FeatureGenerator;
import io.memguard.autofeat.internal.feateng.GeneratedFeatures;
import io.memguard.autofeat.internal.feateng.GenerationOptions;
import io.memguard.autofeat.internal.feateng.GenerationStep;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.feateng.Transformation;
import io.memguard.autofeat.internal.testdata.Datasets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MemoryPlannerTest {

  // the pilot's counts on the synthetic data, 3 steps (see AutoFeatEngineTest.survey_...)
  private static final GenerationSurvey SYNTHETIC_3 =
      new GenerationSurvey(
          64,
          3,
          3,
          4149,
          4148,
          4037,
          2393,
          new long[] {0, 17, 748, 3272},
          new long[] {0, 10, 121, 2262},
          196_608,
          1);

  @Test
  void normal_predictsTheStoreOfEveryKeptColumnInDouble() {
    MemoryPlanner p = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    // with the initial selection fits on the screened columns (a budget just short of all columns)
    FitPlan normal = p.normal(p.peak(8, 1600, false, 0, true) - 1);
    // generation stores the columns before the last step, whose own are derived from them: (3 + 765
    // * 1.15) columns * 1600 rows * 8 bytes = 11.3 MB; selection: those columns again (the
    // derived candidates' parents stay), the candidates' expressions and one chunk fit of 1,020
    // columns on 1,360 rows with the solver's work (its cache up to twice the block for these few
    // rows) predict 50 MB, which selection's fits dominate
    assertThat(normal.predictedPeakBytes()).isBetween(45_000_000L, 56_000_000L);
    assertThat(normal.initialFitAll()).isFalse();
    assertThat(normal.lightweight()).isFalse();
    assertThat(normal.searchRows()).isEqualTo(1600);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {2, 3})
  void selectionStore_boundsWhatADerivingStoreKeeps_parentsIncluded(int steps) {
    for (Datasets.Split data : List.of(Datasets.diabetes(), Datasets.synthetic())) {
      Datasets.Table t = data.train();
      List<Expr> symbols = new ArrayList<>();
      for (int j = 0; j < t.names().size(); j++) {
        symbols.add(Exprs.sym(j, t.names().get(j)));
      }
      ColumnStore store = ColumnStore.forPlan(StoragePrecision.DOUBLE, t.rows(), false);
      FeatureGenerator g =
          new FeatureGenerator(
              new GenerationOptions(steps, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 256),
              store,
              symbols,
              t.columns());
      while (g.hasNextStep()) {
        GenerationStep s = g.nextStep();
        while (s.hasMore()) {
          s.runBatch(256);
        }
      }
      GeneratedFeatures f = g.finish();
      long[] candidatesPerStep = new long[steps + 1];
      for (FeatureColumn c : f.candidates()) {
        candidatesPerStep[c.step()]++;
      }
      GenerationSurvey counts =
          new GenerationSurvey(
              t.rows(),
              t.names().size(),
              steps,
              f.proposed(),
              f.computed(),
              f.kept(),
              f.candidates().size(),
              g.acceptedPerStep(steps),
              candidatesPerStep,
              0,
              0);
      MemoryPlanner p = new MemoryPlanner(t.rows(), t.names().size(), counts);
      // the generation's own counts as the pilot's: what selection holds must be within them
      assertThat(p.selectionStoreBytes(8, t.rows(), false))
          .isGreaterThanOrEqualTo(store.bytesUsed());
      if (steps == 3) {
        // the parents the final filter drops stay: more than the earlier candidates alone
        long candidatesOnly =
            (t.names().size() + counts.candidatesBeforeLastStep()) * store.bytesPerColumn();
        assertThat(store.bytesUsed()).isGreaterThan(candidatesOnly);
      }
    }
  }

  @Test
  void fewerRowsWouldHelp_onlyAboveTheSearchFloorOrWhenTheFinalModelIsTheLargestPhase() {
    // the cheapest plan searches on 100 rows: its 4,000 candidates take the memory
    MemoryPlanner candidates = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    assertThat(candidates.fewerRowsWouldHelp(candidates.minimalLightweight(1))).isFalse();
    assertThat(candidates.fewerRowsWouldHelp(candidates.normal(Long.MAX_VALUE))).isTrue();
    // no candidates on a million rows: the final model on all rows is the largest phase
    MemoryPlanner model = new MemoryPlanner(1_000_000, 3, null);
    assertThat(model.fewerRowsWouldHelp(model.minimalLightweight(1))).isTrue();
  }

  @Test
  void normal_initialFitOnAllColumnsOnlyWhenItsBlockFits() {
    MemoryPlanner p = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    long screened = p.peak(8, 1600, false, 0);
    long wide = p.peak(8, 1600, false, 0, true);
    assertThat(wide).isGreaterThan(screened);
    FitPlan roomy = p.normal(wide);
    assertThat(roomy.initialFitAll()).isTrue();
    assertThat(roomy.predictedPeakBytes()).isEqualTo(wide);
    FitPlan tight = p.normal(wide - 1);
    assertThat(tight.initialFitAll()).isFalse();
    assertThat(tight.predictedPeakBytes()).isEqualTo(screened);
    assertThat(p.lightweight(Long.MAX_VALUE).initialFitAll()).isFalse();
  }

  @Test
  void normal_moreThanTenPredictedColumnsPerRunRow_screensWhateverTheBudget() {
    // 3 + 2393 * 1.3 = 3,114 predicted columns; 300 rows give 255 per run: 12.2 columns per row
    MemoryPlanner p = new MemoryPlanner(300, 3, SYNTHETIC_3);
    assertThat(p.columns()).isEqualTo(3114);
    assertThat(p.runRows()).isEqualTo(255);
    assertThat(p.initialFitMayTakeAll()).isFalse();
    FitPlan roomy = p.normal(Long.MAX_VALUE);
    assertThat(roomy.initialFitAll()).isFalse();
    assertThat(roomy.predictedPeakBytes()).isEqualTo(p.peak(8, 300, false, 0));
    assertThat(new MemoryPlanner(400, 3, SYNTHETIC_3).normal(Long.MAX_VALUE).initialFitAll())
        .isTrue();
  }

  @Test
  void lightweight_searchesOnAsManyRowsAsFit_monotoneInTheBudget() {
    MemoryPlanner p = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    FitPlan small = p.lightweight(4_000_000);
    FitPlan larger = p.lightweight(8_000_000);
    assertThat(small.searchRows()).isBetween(MemoryPlanner.MIN_SEARCH_ROWS, 1600);
    assertThat(larger.searchRows()).isGreaterThan(small.searchRows());
    assertThat(small.predictedPeakBytes()).isLessThanOrEqualTo(4_000_000);
    int grid = 1600 / MemoryPlanner.SEARCH_ROWS_GRID;
    assertThat(small.searchRows() % grid).isZero();
    assertThat(
            p.peak(
                small.floatStorage() ? 4 : 8,
                small.searchRows() + grid,
                true,
                small.maxChunkWidth()))
        .isGreaterThan(4_000_000);
    assertThat(p.lightweight(Long.MAX_VALUE).searchRows()).isEqualTo(1600);
    assertThat(small.floatStorage()).isTrue();
    assertThat(small.recomputeLastStep()).isTrue();
  }

  @Test
  void lightweight_budgetsAFewKilobytesApart_searchTheSameRows() {
    MemoryPlanner p = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    int same = 0;
    for (long usable = 3_000_000; usable < 6_000_000; usable += 100_000) {
      FitPlan a = p.lightweight(usable);
      FitPlan b = p.lightweight(usable + 8_192);
      same += a.searchRows() == b.searchRows() && a.floatStorage() == b.floatStorage() ? 1 : 0;
    }
    // without the grid, every budget would give its own row count
    assertThat(same).isGreaterThanOrEqualTo(25);
  }

  @Test
  void lightweight_tooSmall_isNullAndTheMinimalPlanSaysWhatItNeeds() {
    MemoryPlanner p = new MemoryPlanner(1600, 3, SYNTHETIC_3);
    FitPlan min = p.minimalLightweight(1_000_000);
    assertThat(p.lightweight(min.predictedPeakBytes() - 1)).isNull();
    assertThat(p.lightweight(min.predictedPeakBytes())).isNotNull();
    assertThat(min.searchRows()).isEqualTo(MemoryPlanner.MIN_SEARCH_ROWS);
  }

  @Test
  void noGeneration_needsOnlyTheInputsAndTheModel() {
    MemoryPlanner p = new MemoryPlanner(1000, 4, null);
    assertThat(p.normal(Long.MAX_VALUE).predictedPeakBytes()).isLessThan(1_000_000);
    assertThat(p.minimalBytes()).isEqualTo(p.model(4));
  }

  @ParameterizedTest
  @EnumSource(ProblemType.class)
  void withSumsModel_aFinalModelWhoseBytesDoNotGrowWithTheRows(ProblemType problem) {
    MemoryPlanner small = new MemoryPlanner(20_000, 5, SYNTHETIC_3, problem);
    MemoryPlanner large = new MemoryPlanner(2_000_000, 5, SYNTHETIC_3, problem);
    assertThat(large.withSumsModel().minimalBytes())
        .isEqualTo(small.withSumsModel().minimalBytes())
        .isLessThan(large.minimalBytes() / 50);
    assertThat(large.withSumsModel().sumsModel()).isTrue();
    assertThat(large.sumsModel()).isFalse();
    assertThat(large.withSumsModel().finalModelWording())
        .startsWith(
            problem == ProblemType.REGRESSION ? "from per-fold sums" : "from Newton passes");
    // the lightweight plan on few search rows then fits where the in-memory model alone did not
    long usable = large.minimalBytes() / 2;
    assertThat(large.lightweight(usable)).isNull();
    assertThat(large.withSumsModel().lightweight(usable)).isNotNull();

    assertThat(new MemoryPlanner(9, 5, null, problem).withSumsModel())
        .as("fewer rows than 2 folds")
        .isNull();
    MemoryPlanner few = new MemoryPlanner(3_000, 5, SYNTHETIC_3, problem);
    if (problem == ProblemType.CLASSIFICATION) {
      // a sample of at least 4,096 rows: on fewer rows than that the in-memory model is the smaller
      assertThat(few.withSumsModel()).isNull();
    } else {
      assertThat(few.withSumsModel().minimalBytes()).isLessThan(few.minimalBytes());
    }
  }
}
