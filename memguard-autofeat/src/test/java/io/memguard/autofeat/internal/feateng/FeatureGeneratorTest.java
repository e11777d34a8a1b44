package io.memguard.autofeat.internal.feateng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.expr.Expr;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.math.Vectors;
import io.memguard.autofeat.internal.testdata.Datasets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class FeatureGeneratorTest {

  private static List<Expr> symbols(Datasets.Table table) {
    List<Expr> syms = new ArrayList<>();
    for (int j = 0; j < table.names().size(); j++) {
      syms.add(Exprs.sym(j, table.names().get(j)));
    }
    return syms;
  }

  private static final Expr X1 = Exprs.sym(0, "x1");
  private static final Expr X2 = Exprs.sym(1, "x2");
  private static final Expr X3 = Exprs.sym(2, "x3");

  static GeneratedFeatures generate(
      Datasets.Table t,
      int steps,
      StoragePrecision p,
      IntUnaryOperator batchSizes,
      List<BatchStats> log) {
    List<Expr> syms = new ArrayList<>();
    for (int j = 0; j < t.names().size(); j++) {
      syms.add(Exprs.sym(j, t.names().get(j)));
    }
    GenerationOptions o = new GenerationOptions(steps, Transformation.DEFAULTS, p, 64);
    FeatureGenerator g =
        new FeatureGenerator(o, ColumnStore.create(p, t.rows()), syms, t.columns());
    int batch = 0;
    while (g.hasNextStep()) {
      GenerationStep s = g.nextStep();
      while (s.hasMore()) {
        BatchStats st = s.runBatch(batchSizes.applyAsInt(batch++));
        if (log != null) {
          log.add(st);
        }
      }
    }
    return g.finish();
  }

  private static List<Expr> exprs(GeneratedFeatures f) {
    return f.candidates().stream().map(FeatureColumn::expr).toList();
  }

  @Test
  void generate_synthetic3Steps_containsBothTargetTerms() {
    Datasets.Table train = Datasets.synthetic().train();
    GeneratedFeatures f = generate(train, 3, StoragePrecision.DOUBLE, b -> 256, null);
    Expr cube = Exprs.pow(Exprs.add(X2, Exprs.log(X1)), 3);
    Expr inv = Exprs.reciprocal(Exprs.sub(X2, Exprs.reciprocal(X3)));
    assertThat(exprs(f)).contains(cube, inv);
    assertThat(f.candidates()).allSatisfy(c -> assertThat(c.expr().isAdd()).isFalse());
    assertThat(f.store().liveColumns()).isEqualTo(f.start().size() + f.candidates().size());
    System.out.printf(
        "synthetic 3 steps: proposed=%d computed=%d kept=%d eligible=%d candidates=%d%n",
        f.proposed(), f.computed(), f.kept(), f.eligible(), f.candidates().size());
  }

  @Test
  void generate_batchSizeChangesBetweenBatches_sameResult() {
    Datasets.Table train = Datasets.diabetes().train();
    List<BatchStats> log = new ArrayList<>();
    GeneratedFeatures a = generate(train, 2, StoragePrecision.DOUBLE, b -> 1000, null);
    GeneratedFeatures b = generate(train, 2, StoragePrecision.DOUBLE, i -> 1 + (i * 7) % 13, log);
    assertThat(exprs(b)).isEqualTo(exprs(a));
    assertThat(log).allSatisfy(s -> assertThat(s.tried()).isLessThanOrEqualTo(13));
    assertThat(log.stream().mapToLong(BatchStats::tried).sum()).isEqualTo(b.computed());
    assertThat(log.stream().mapToLong(BatchStats::accepted).sum()).isEqualTo(b.kept());
  }

  @Test
  void generate_lastStep_buildsProductsOnly() {
    Datasets.Table train = Datasets.diabetes().train();
    List<Expr> syms = symbols(train);
    FeatureGenerator g =
        new FeatureGenerator(
            new GenerationOptions(2, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 64),
            ColumnStore.create(StoragePrecision.DOUBLE, train.rows()),
            syms,
            train.columns());
    g.nextStep().runBatch(Integer.MAX_VALUE);
    GenerationStep s2 = g.nextStep();
    assertThat(s2.kind()).isEqualTo(GenerationStep.Kind.PAIRS);
    while (s2.hasMore()) {
      s2.runBatch(100);
    }
    assertThat(s2.outputs()).isNotEmpty().allSatisfy(f -> assertThat(f.expr().isAdd()).isFalse());
    assertThat(g.hasNextStep()).isFalse();
  }

  @Test
  void generate_sexColumnWithTwoValues_isNeverTransformed() {
    Datasets.Table train = Datasets.diabetes().train();
    GeneratedFeatures f = generate(train, 1, StoragePrecision.DOUBLE, b -> 50, null);
    assertThat(f.start().get(1).stats().fewDistinct()).isTrue();
    assertThat(f.candidates()).noneMatch(c -> c.expr().symbols()[0] == 1);
  }

  @Test
  void generate_floatStorage_halvesBytesAndFindsTargetTerms() {
    Datasets.Table train = Datasets.synthetic().train();
    GeneratedFeatures d = generate(train, 2, StoragePrecision.DOUBLE, b -> 256, null);
    GeneratedFeatures f = generate(train, 2, StoragePrecision.FLOAT, b -> 256, null);
    // values in half the bytes; each array has its 16-byte header either way
    assertThat(f.store().bytesPerColumn() * 2 - 16).isEqualTo(d.store().bytesPerColumn());
    assertThat(exprs(f)).contains(Exprs.mul(X2, Exprs.log(X1)));
    assertThat((double) exprs(f).size())
        .isCloseTo(exprs(d).size(), org.assertj.core.data.Offset.offset(5.0));
  }

  @Test
  void generate_valuesBeyondFloatRange_areRejectedInFloatStorageOnly() {
    // z * w is about 1e40: fine as a double, infinite as a float
    double[] z = new double[50];
    double[] w = new double[50];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 50; i++) {
      z[i] = 1e20 * (1 + rnd.nextDouble());
      w[i] = 1e20 * (1 + rnd.nextDouble());
    }
    Expr zw = Exprs.mul(Exprs.sym(0, "z"), Exprs.sym(1, "w"));
    for (StoragePrecision p : StoragePrecision.values()) {
      FeatureGenerator g =
          new FeatureGenerator(
              new GenerationOptions(2, List.of(Transformation.ABS), p, 8),
              ColumnStore.create(p, 50),
              List.of(Exprs.sym(0, "z"), Exprs.sym(1, "w")),
              new double[][] {z, w});
      while (g.hasNextStep()) {
        GenerationStep s = g.nextStep();
        while (s.hasMore()) {
          s.runBatch(8);
        }
      }
      boolean kept = g.generated().stream().anyMatch(c -> c.expr().equals(zw));
      assertThat(kept).as("%s", p).isEqualTo(p == StoragePrecision.DOUBLE);
      for (FeatureColumn c : g.generated()) {
        for (double d : g.store().read(c.slot(), new double[50])) {
          assertThat(Double.isFinite(d)).isTrue();
        }
      }
    }
  }

  @Test
  void lastStep_storesOnlyWhatTheFinalFilterKeeps_andCountsTheRest() {
    Datasets.Table train = Datasets.diabetes().train();
    List<Expr> syms = symbols(train);
    FeatureGenerator g =
        new FeatureGenerator(
            new GenerationOptions(
                2, GenerationOptions.ofDefaults().transformations(), StoragePrecision.DOUBLE, 64),
            ColumnStore.create(StoragePrecision.DOUBLE, train.rows()),
            syms,
            train.columns());
    while (g.hasNextStep()) {
      GenerationStep s = g.nextStep();
      while (s.hasMore()) {
        s.runBatch(64);
      }
    }
    List<FeatureColumn> stored = g.generated();
    List<FeatureColumn> storedLast = stored.stream().filter(f -> f.step() == 2).toList();
    int n = train.rows();
    for (FeatureColumn f : storedLast) {
      assertThat(f.eligible()).isTrue();
      assertThat(f.expr().isAdd()).isFalse();
      double[] v = g.store().read(f.slot(), new double[n]);
      for (FeatureColumn s : g.startFeatures()) {
        double[] x = g.store().read(s.slot(), new double[n]);
        assertThat(
                Math.abs(
                    Vectors.correlation(
                        v,
                        f.stats().mean(),
                        f.stats().std(),
                        x,
                        s.stats().mean(),
                        s.stats().std())))
            .isLessThan(FeatureGenerator.FINAL_MAX_CORRELATION);
      }
    }
    long[] accepted = g.acceptedPerStep(2);
    GeneratedFeatures out = g.finish();
    assertThat(accepted[2]).isGreaterThan(storedLast.size());
    assertThat(out.kept()).isEqualTo(accepted[1] + accepted[2]);
    assertThat(out.candidates().stream().filter(f -> f.step() == 2).toList())
        .containsExactlyElementsOf(storedLast);
  }

  @Test
  void nextStep_whileProposalsRemain_throws() {
    Datasets.Table train = Datasets.diabetes().train();
    List<Expr> syms = symbols(train);
    FeatureGenerator g =
        new FeatureGenerator(
            GenerationOptions.ofDefaults(),
            ColumnStore.create(StoragePrecision.DOUBLE, train.rows()),
            syms,
            train.columns());
    GenerationStep s = g.nextStep();
    s.runBatch(3);
    assertThat(s.hasMore()).isTrue();
    assertThatThrownBy(g::nextStep).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(g::finish).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void domainRules_matchAutofeat() {
    ColumnStats pos = new ColumnStats(1, 1, 0.5, 2, false, false);
    ColumnStats withZero = new ColumnStats(1, 1, 0, 2, true, false);
    ColumnStats neg = new ColumnStats(0, 1, -3, 12, false, false);
    assertThat(Transformation.LOG.applicable(withZero)).isTrue();
    assertThat(Transformation.RECIPROCAL.applicable(withZero)).isFalse();
    assertThat(Transformation.ABS.applicable(pos)).isFalse();
    assertThat(Transformation.ABS.applicable(neg)).isTrue();
    assertThat(Transformation.SQRT.applicable(neg)).isFalse();
    assertThat(Transformation.EXP.applicable(neg)).isFalse();
    assertThat(Transformation.EXP.applicable(pos)).isTrue();
    assertThat(Transformation.EXP_NEG.applicable(neg)).isTrue();
    assertThat(Transformation.CUBE.applicable(new ColumnStats(0, 1, -1e4, 1, false, false)))
        .isFalse();
    assertThat(Transformation.SQUARE.applicable(new ColumnStats(0, 1, -1e4, 1, false, false)))
        .isTrue();
    assertThat(Transformation.EXP2.applicable(new ColumnStats(0, 1, 0, 50, false, false)))
        .isFalse();
    assertThat(Transformation.fromLabel("^3")).isEqualTo(Transformation.CUBE);
  }

  @Test
  void derivingStore_keepsLastStepAsRecipes_andReadsTheStoredValuesBitForBit() {
    Datasets.Table train = Datasets.diabetes().train();
    List<Expr> syms = symbols(train);
    int n = train.rows();
    // 2 steps end with products, 3 steps with transformations
    for (int steps = 2; steps <= 3; steps++) {
      GenerationOptions o =
          new GenerationOptions(steps, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 256);
      ColumnStore plain = ColumnStore.create(StoragePrecision.DOUBLE, n);
      ColumnStore deriving = ColumnStore.forPlan(StoragePrecision.DOUBLE, n, false);
      GeneratedFeatures a = run(new FeatureGenerator(o, plain, syms, train.columns()));
      GeneratedFeatures b = run(new FeatureGenerator(o, deriving, syms, train.columns()));
      assertThat(exprs(b)).isEqualTo(exprs(a));
      int last = steps;
      assertThat(b.candidates().stream().filter(c -> c.step() == last).count()).isPositive();
      assertThat(deriving.bytesUsed()).isLessThan(plain.bytesUsed() / 2);
      assertThat(deriving.liveColumns()).isEqualTo(plain.liveColumns());
      int[] rows = {n - 1, 0, 7, 7, n / 2};
      double[] scratch = new double[n];
      for (int k = 0; k < a.candidates().size(); k++) {
        int sa = a.candidates().get(k).slot();
        int sb = b.candidates().get(k).slot();
        double[] va = plain.read(sa, new double[n]).clone();
        double[] vb = deriving.read(sb, scratch);
        for (int i = 0; i < n; i++) {
          assertThat(Double.doubleToRawLongBits(vb[i]))
              .isEqualTo(Double.doubleToRawLongBits(va[i]));
        }
        double[] ga = new double[rows.length];
        double[] gb = new double[rows.length];
        plain.gather(sa, rows, 0.25, 3.0, ga, new double[n]);
        deriving.gather(sb, rows, 0.25, 3.0, gb, new double[n]);
        assertThat(gb).containsExactly(ga);
        assertThat(deriving.get(sb, 7)).isEqualTo(va[7]);
      }
    }
  }

  @Test
  void recomputingStore_keepsLastStepAsExpressionsAndReadsTheirValues() {
    Datasets.Table train = Datasets.diabetes().train();
    List<Expr> syms = symbols(train);
    GenerationOptions o =
        new GenerationOptions(2, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 256);
    ColumnStore plain = ColumnStore.create(StoragePrecision.DOUBLE, train.rows());
    ColumnStore recomputing = ColumnStore.recomputing(StoragePrecision.DOUBLE, train.rows());
    GeneratedFeatures a = run(new FeatureGenerator(o, plain, syms, train.columns()));
    GeneratedFeatures b = run(new FeatureGenerator(o, recomputing, syms, train.columns()));
    assertThat(exprs(b)).isEqualTo(exprs(a));
    // step-2 candidates are recomputed: no values stored for them
    long step2 = b.candidates().stream().filter(c -> c.step() == 2).count();
    assertThat(step2).isPositive();
    assertThat(recomputing.bytesUsed()).isLessThan(plain.bytesUsed());
    double[] scratch = new double[train.rows()];
    for (int k = 0; k < a.candidates().size(); k++) {
      double[] va = plain.read(a.candidates().get(k).slot(), new double[train.rows()]).clone();
      double[] vb = recomputing.read(b.candidates().get(k).slot(), scratch);
      for (int i = 0; i < va.length; i++) {
        assertThat(vb[i])
            .isCloseTo(va[i], org.assertj.core.api.Assertions.within(1e-9 * (1 + Math.abs(va[i]))));
      }
    }
  }

  @Test
  void leftOutColumns_buildNothing_butAreStartFeatures_andFilterCandidates() {
    Datasets.Table t = Datasets.diabetes().train();
    List<Expr> syms = symbols(t);
    boolean[] engineered = new boolean[t.names().size()];
    engineered[0] = true;
    engineered[2] = true;
    engineered[4] = true;
    GenerationOptions o =
        new GenerationOptions(3, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 64);
    GeneratedFeatures f =
        run(
            new FeatureGenerator(
                o,
                ColumnStore.create(StoragePrecision.DOUBLE, t.rows()),
                syms,
                engineered,
                t.columns(),
                io.memguard.autofeat.internal.batch.Lease.NONE));
    assertThat(f.start()).hasSize(t.names().size());
    assertThat(f.candidates()).isNotEmpty();
    for (FeatureColumn c : f.candidates()) {
      for (int s : c.expr().symbols()) {
        assertThat(engineered[s]).as("%s reads column %d", c.expr(), s).isTrue();
      }
    }
    assertThat(f.candidates()).anyMatch(c -> c.step() == 3);

    // a left-out column equal to a product of two engineered ones: the product is filtered out
    double[] a = t.columns()[0];
    double[] b = t.columns()[2];
    double[] product = new double[t.rows()];
    for (int i = 0; i < product.length; i++) {
      product[i] = a[i] * b[i];
    }
    Expr sa = Exprs.sym(0, "a");
    Expr sb = Exprs.sym(1, "b");
    Expr ab = Exprs.mul(sa, sb);
    GenerationOptions two =
        new GenerationOptions(2, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 64);
    GeneratedFeatures without =
        run(
            new FeatureGenerator(
                two,
                ColumnStore.create(StoragePrecision.DOUBLE, t.rows()),
                List.of(sa, sb),
                new double[][] {a, b}));
    assertThat(exprs(without)).contains(ab);
    GeneratedFeatures with =
        run(
            new FeatureGenerator(
                two,
                ColumnStore.create(StoragePrecision.DOUBLE, t.rows()),
                List.of(sa, sb, Exprs.sym(2, "product")),
                new boolean[] {true, true, false},
                new double[][] {a, b, product},
                io.memguard.autofeat.internal.batch.Lease.NONE));
    assertThat(exprs(with)).doesNotContain(ab);
  }

  @Test
  void aStartFeatureThatBuildsNothing_doesNotStopTheStepsFromBuildingItsExpression() {
    SplittableRandom r = new SplittableRandom(11);
    int n = 200;
    double[] a = new double[n];
    double[] b = new double[n];
    double[] ratio = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = 1 + r.nextDouble();
      b[i] = 1 + r.nextDouble();
      ratio[i] = a[i] / b[i];
    }
    Expr sa = Exprs.sym(0, "a");
    Expr sb = Exprs.sym(1, "b");
    Expr group = Exprs.mul(sa, Exprs.pow(sb, -1)); // a Pi theorem group: a start feature
    GenerationOptions o =
        new GenerationOptions(3, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 64);
    GeneratedFeatures alone =
        run(
            new FeatureGenerator(
                o,
                ColumnStore.create(StoragePrecision.DOUBLE, n),
                List.of(sa, sb),
                new double[][] {a, b}));
    GeneratedFeatures withGroup =
        run(
            new FeatureGenerator(
                o,
                ColumnStore.create(StoragePrecision.DOUBLE, n),
                List.of(sa, sb, group),
                new boolean[] {true, true, false},
                new double[][] {a, b, ratio},
                io.memguard.autofeat.internal.batch.Lease.NONE));
    // the steps propose and compute the same expressions, a/b and what builds on it included
    assertThat(withGroup.computed()).isEqualTo(alone.computed());
    assertThat(withGroup.proposed()).isEqualTo(alone.proposed());
    assertThat(withGroup.start()).hasSize(3);
  }

  @Test
  void withDimensions_noProposalMixesThem_andEveryOtherIsStillMade() {
    SplittableRandom r = new SplittableRandom(5);
    int n = 300;
    double[][] cols = new double[3][n];
    for (int i = 0; i < n; i++) {
      cols[0][i] = 1 + r.nextDouble();
      cols[1][i] = 0.5 + r.nextDouble();
      cols[2][i] = r.nextDouble() - 0.3;
    }
    Expr x = Exprs.sym(0, "x");
    Expr t = Exprs.sym(1, "t");
    Expr k = Exprs.sym(2, "k");
    io.memguard.autofeat.internal.units.ExprDimensions dims =
        new io.memguard.autofeat.internal.units.ExprDimensions(
            List.of(
                io.memguard.autofeat.internal.units.Units.parse("m"),
                io.memguard.autofeat.internal.units.Units.parse("s"),
                io.memguard.autofeat.internal.units.Dimension.NONE));
    GenerationOptions o =
        new GenerationOptions(2, Transformation.DEFAULTS, StoragePrecision.DOUBLE, 64);
    List<Expr> with =
        exprs(
            run(
                new FeatureGenerator(
                        o, ColumnStore.create(StoragePrecision.DOUBLE, n), List.of(x, t, k), cols)
                    .checkDimensions(dims)));
    List<Expr> without =
        exprs(
            run(
                new FeatureGenerator(
                    o, ColumnStore.create(StoragePrecision.DOUBLE, n), List.of(x, t, k), cols)));
    List<Expr> mixing = without.stream().filter(e -> !dims.allows(e)).toList();
    assertThat(mixing).contains(Exprs.mul(k, Exprs.log(x)), Exprs.mul(x, Exprs.exp(t)));
    assertThat(with).doesNotContainAnyElementsOf(mixing);
    assertThat(with).allMatch(dims::allows);
    assertThat(with).containsAll(without.stream().filter(dims::allows).toList());
    assertThat(with).hasSizeGreaterThan(10).anyMatch(e -> e.symbols().length == 2);
  }

  private static GeneratedFeatures run(FeatureGenerator g) {
    while (g.hasNextStep()) {
      GenerationStep s = g.nextStep();
      while (s.hasMore()) {
        s.runBatch(100);
      }
    }
    return g.finish();
  }
}
