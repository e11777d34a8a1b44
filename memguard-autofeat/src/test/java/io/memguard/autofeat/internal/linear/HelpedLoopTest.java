package io.memguard.autofeat.internal.linear;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A helped loop computes every index once, whichever thread takes it, and never waits for a helper
 * that does not run; a LARS fit and a logistic fit helped by a thread give the same bits as ones
 * without.
 */
class HelpedLoopTest {

  @Test
  void everyIndexIsComputedExactlyOnce_withAHelperThread() throws Exception {
    try (HelperThread helper = new HelperThread(Thread::new)) {
      for (int round = 0; round < 200; round++) {
        int n = 1 + round * 7;
        AtomicInteger[] seen = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
          seen[i] = new AtomicInteger();
        }
        HelpedLoop.run(
            helper,
            n,
            3,
            (from, to) -> {
              for (int i = from; i < to; i++) {
                seen[i].incrementAndGet();
              }
            });
        for (int i = 0; i < n; i++) {
          assertThat(seen[i].get()).as("index %d of %d", i, n).isEqualTo(1);
        }
      }
    }
  }

  @Test
  void aHelperThatNeverRuns_leavesEveryBlockToTheCaller() {
    List<Runnable> queued = new ArrayList<>();
    Executor never = queued::add;
    int[] sum = new int[1];
    HelpedLoop.run(
        never,
        100,
        10,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            sum[0] += i;
          }
        });
    assertThat(sum[0]).isEqualTo(4950);
    queued.forEach(Runnable::run); // a late start finds nothing left
    assertThat(sum[0]).isEqualTo(4950);
  }

  @Test
  void aRefusingHelper_leavesEveryBlockToTheCaller() {
    Executor refusing =
        task -> {
          throw new RejectedExecutionException("stopped");
        };
    int[] count = new int[1];
    HelpedLoop.run(refusing, 64, 4, (from, to) -> count[0] += to - from);
    assertThat(count[0]).isEqualTo(64);
  }

  @Test
  void aFailingBlock_isRethrownToTheCaller() {
    assertThatThrownBy(
            () ->
                HelpedLoop.run(
                    Runnable::run,
                    64,
                    4,
                    (from, to) -> {
                      if (from == 0) {
                        throw new IllegalStateException("block 0");
                      }
                    }))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("block 0");
  }

  @Test
  void aHelperThread_refusesTasksAfterClose_andClosesTwiceHarmlessly() {
    HelperThread helper = new HelperThread(Thread::new);
    helper.close();
    helper.close();
    assertThatThrownBy(() -> helper.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void aHelpedLarsFit_isBitForBitTheFitOfOneThread() {
    SplittableRandom rnd = new SplittableRandom(7);
    int m = 600;
    int p = 500; // p * m above the size a cross column is helped from
    double[][] x = new double[p][m];
    double[] y = new double[m];
    for (int j = 0; j < p; j++) {
      for (int i = 0; i < m; i++) {
        x[j][i] = rnd.nextGaussian();
      }
    }
    for (int i = 0; i < m; i++) {
      y[i] = x[3][i] - 2 * x[40][i] + 0.5 * x[77][i] * x[77][i] + rnd.nextGaussian();
    }
    PathOptions options = PathOptions.forSelection(TargetKind.REGRESSION);
    LassoCv.Result alone = LarsLassoCv.fit(x, m, y, options, new SolverWork());
    try (HelperThread helper = new HelperThread(Thread::new)) {
      LassoCv.Result helped = LarsLassoCv.fit(x, m, y, options, new SolverWork().helpedBy(helper));
      assertThat(helped.coef()).containsExactly(alone.coef());
      assertThat(helped.intercept()).isEqualTo(alone.intercept());
      assertThat(helped.alpha()).isEqualTo(alone.alpha());
    }
  }

  @Test
  void aHelpedLogisticFit_isBitForBitTheFitOfOneThread() {
    SplittableRandom rnd = new SplittableRandom(11);
    int m = 3000;
    int p = 160; // rows x (columns + 8) above the size from which fold fits are shared
    double[][] x = new double[p][m];
    double[] y = new double[m];
    double[] w = new double[m];
    for (int j = 0; j < p; j++) {
      for (int i = 0; i < m; i++) {
        x[j][i] = rnd.nextGaussian();
      }
    }
    for (int i = 0; i < m; i++) {
      double eta = rnd.nextGaussian();
      for (int j = 0; j < p; j += 2) {
        eta += 0.15 * x[j][i];
      }
      y[i] = eta > 0 ? 1 : 0;
      w[i] = 1;
    }
    PathOptions options = PathOptions.forSelection(TargetKind.CLASSIFICATION);
    LogisticCv.Result alone = LogisticCv.fit(x, m, y, w, options);
    AtomicInteger handOvers = new AtomicInteger();
    try (HelperThread helper = new HelperThread(Thread::new)) {
      Executor counted =
          task -> {
            handOvers.incrementAndGet();
            helper.execute(task);
          };
      assertSameFit(LogisticCv.fit(x, m, y, w, options, counted), alone);
      assertThat(handOvers).as("penalties handed to the helper").hasPositiveValue();
    }
    // a helper that takes every group before the caller can, each penalty on a new thread: every
    // fold fit is solved on other threads than the one that built it, penalty after penalty
    AtomicInteger groupsElsewhere = new AtomicInteger();
    Executor takesAll =
        task -> {
          Thread t =
              new Thread(
                  () -> {
                    task.run();
                    groupsElsewhere.incrementAndGet();
                  });
          t.start();
          try {
            t.join();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
          }
        };
    assertSameFit(LogisticCv.fit(x, m, y, w, options, takesAll), alone);
    assertThat(groupsElsewhere).hasPositiveValue();
  }

  private static void assertSameFit(LogisticCv.Result helped, LogisticCv.Result alone) {
    assertThat(helped.coef()).containsExactly(alone.coef());
    assertThat(helped.intercept()).isEqualTo(alone.intercept());
    assertThat(helped.lambda()).isEqualTo(alone.lambda());
    assertThat(helped.lambdaIndex()).isEqualTo(alone.lambdaIndex());
    assertThat(helped.pathLength()).isEqualTo(alone.pathLength());
    assertThat(helped.cvLoss()).isEqualTo(alone.cvLoss());
  }
}
