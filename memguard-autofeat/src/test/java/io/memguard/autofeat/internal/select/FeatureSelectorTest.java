package io.memguard.autofeat.internal.select;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.Lease;
import io.memguard.autofeat.internal.expr.Exprs;
import io.memguard.autofeat.internal.feateng.ColumnStats;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.FeatureColumn;
import io.memguard.autofeat.internal.feateng.StoragePrecision;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.TargetKind;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FeatureSelectorTest {

  private record Planted(ColumnStore store, List<FeatureColumn> cols, double[] y) {}

  /** 5 signal columns (indices 0..4) and {@code noise} pure-noise columns, n rows. */
  private static Planted planted(int n, int noise, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    ColumnStore store = ColumnStore.create(StoragePrecision.DOUBLE, n);
    List<FeatureColumn> cols = new ArrayList<>();
    double[][] v = new double[5 + noise][n];
    for (double[] c : v) {
      for (int i = 0; i < n; i++) {
        c[i] = rnd.nextGaussian();
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      y[i] =
          3 * v[0][i] - 2 * v[1][i] + 1.5 * v[2][i] + v[3][i] - v[4][i] + 0.5 * rnd.nextGaussian();
    }
    for (int j = 0; j < v.length; j++) {
      int slot = store.add(v[j]);
      cols.add(
          new FeatureColumn(
              Exprs.sym(j, "c" + j), slot, ColumnStats.of(v[j], n), true, j < 5 ? 0 : 1));
    }
    return new Planted(store, cols, y);
  }

  // Over seeds 1-6 of this shape both initial fits find the 5 signals and keep 0-16 of the 300
  // noise columns
  // (screened 29 in all, all columns 36); the bounds are this seed's.
  @ParameterizedTest(name = "initial fit on all columns: {0}")
  @CsvSource({"false, 9", "true, 10"})
  void select_plantedSignal_findsSignalAndDropsMostNoise(boolean initialFitAll, int maxNoiseKept) {
    Planted p = planted(500, 300, 1);
    SelectionOptions options =
        new SelectionOptions(
            TargetKind.REGRESSION, 5, 0L, 0, 0, initialFitAll, PathOptions.forSelection());
    SelectionResult r =
        new FeatureSelector(options, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    List<Integer> idx = r.selected().stream().map(c -> c.expr().symbols()[0]).toList();
    assertThat(idx).containsAll(List.of(0, 1, 2, 3, 4));
    assertThat(idx.stream().filter(i -> i >= 5).count()).isLessThanOrEqualTo(maxNoiseKept);
    assertThat(r.votes().get(0)).isEqualTo(5);
  }

  /** A lease that grants every resize up to {@code limit} bytes and records what it held. */
  private static class RecordingLease implements Lease {
    final long limit;
    long bytes;
    long peak;
    int refusals;
    boolean closed;

    RecordingLease(long limit) {
      this.limit = limit;
    }

    @Override
    public synchronized long bytes() {
      return closed ? 0 : bytes;
    }

    @Override
    public synchronized void resize(long b) {
      bytes = b;
      peak = Math.max(peak, b);
    }

    @Override
    public synchronized boolean tryResize(long b) {
      if (b > limit) {
        refusals++;
        return false;
      }
      resize(b);
      return true;
    }

    @Override
    public synchronized void close() {
      closed = true;
    }
  }

  /**
   * Hooks that hand out a {@link RecordingLease} granting up to {@code limit} bytes for every
   * reservation whose description contains {@code marker}, and keep them.
   */
  private static class RecordingHooks implements EngineHooks {
    final String marker;
    final long limit;
    final List<RecordingLease> leases = new CopyOnWriteArrayList<>();

    RecordingHooks(String marker, long limit) {
      this.marker = marker;
      this.limit = limit;
    }

    @Override
    public Lease reserve(String what, long bytes) {
      if (!what.contains(marker)) {
        return Lease.NONE;
      }
      RecordingLease lease = new RecordingLease(limit);
      lease.resize(bytes);
      leases.add(lease);
      return lease;
    }
  }

  /** Four regression runs, selection's default paths and bounds, on {@code threads} threads. */
  private static SelectionOptions fourRegressionRuns(int threads) {
    return new SelectionOptions(
        TargetKind.REGRESSION,
        4,
        5L,
        0,
        60,
        true,
        PathOptions.forSelection(),
        SelectionOptions.DEFAULT_MAX_RUN_ROWS,
        SelectionOptions.DEFAULT_MAX_FIT_CELLS,
        threads);
  }

  @ParameterizedTest(name = "{0} thread(s), carry limit {1}")
  @CsvSource({"1, 0", "1, 9223372036854775807", "2, 0", "2, 9223372036854775807"})
  void select_columnsKeptForTheNextRun_grantedOrRefused_sameResultAndReleased(
      int threads, long carryLimit) {
    Planted p = planted(300, 400, 3);
    SelectionOptions o = fourRegressionRuns(threads);
    RecordingHooks hooks = new RecordingHooks("kept for the next run", carryLimit);
    List<RecordingLease> carries = hooks.leases;
    SelectionResult plain =
        new FeatureSelector(o, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    SelectionResult carried = new FeatureSelector(o, p.store(), p.cols(), p.y(), hooks).select();
    assertThat(carried.selected()).isEqualTo(plain.selected());
    assertThat(carried.votes()).isEqualTo(plain.votes());
    assertThat(carries).hasSize(threads).allSatisfy(l -> assertThat(l.closed).isTrue());
    if (carryLimit == 0) {
      assertThat(carries).allSatisfy(l -> assertThat(l.peak).isZero());
      assertThat(carries.stream().mapToInt(l -> l.refusals).sum()).isPositive();
    } else {
      // a run's columns were held for the next run, then taken back out of the lease
      assertThat(carries.stream().mapToLong(l -> l.peak).max().orElse(0))
          .isGreaterThanOrEqualTo(10L * 8 * 255);
      assertThat(carries).allSatisfy(l -> assertThat(l.refusals).isZero());
    }
  }

  @ParameterizedTest(name = "initial fit's lease granted: {0}")
  @CsvSource({"true", "false"})
  void select_columnsLeaveTheCarry_onlyOnceTheNextFitsLeaseHoldsThem_elseAreDropped(
      boolean granted) {
    Planted p = planted(300, 400, 3);
    SelectionOptions o = fourRegressionRuns(1);
    RecordingLease[] initialFit = new RecordingLease[1];
    List<String> unreserved = new ArrayList<>();
    int[] handedOver = new int[1];
    int[] dropped = new int[1];
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public Lease reserve(String what, long bytes) {
            if (what.contains("initial L1 fit")) {
              initialFit[0] = new RecordingLease(granted ? Long.MAX_VALUE : 0);
              initialFit[0].resize(bytes);
              return initialFit[0];
            }
            if (!what.contains("kept for the next run")) {
              return Lease.NONE;
            }
            RecordingLease carry =
                new RecordingLease(Long.MAX_VALUE) {
                  @Override
                  public synchronized void resize(long b) {
                    long held = this.bytes;
                    RecordingLease fit = initialFit[0];
                    boolean fitOpen = fit != null && !fit.closed;
                    if (b < held && fitOpen && fit.bytes > 0) {
                      handedOver[0]++;
                    } else if (b < held && b == 0 && fitOpen && fit.refusals > 0) {
                      // the fit's lease was refused with the carry held: the columns go unused
                      dropped[0]++;
                    } else if (b < held) {
                      unreserved.add(held + " -> " + b + " bytes with no fit lease holding them");
                    }
                    super.resize(b);
                  }
                };
            carry.resize(bytes);
            return carry;
          }
        };
    SelectionResult plain =
        new FeatureSelector(o, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    SelectionResult carried = new FeatureSelector(o, p.store(), p.cols(), p.y(), hooks).select();
    assertThat(carried.selected()).isEqualTo(plain.selected());
    assertThat(unreserved).isEmpty();
    if (granted) {
      assertThat(handedOver[0]).isPositive();
      assertThat(dropped[0]).isZero();
    } else {
      assertThat(dropped[0]).isPositive();
      assertThat(handedOver[0]).isZero();
    }
  }

  @Test
  @Timeout(120)
  void select_threadWithNoRunLeft_fitsAnotherRunsChunks_sameResultAsOneThread() throws Exception {
    Planted p = planted(300, 400, 4);
    java.util.Set<Thread> lastRunThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();
    java.util.concurrent.atomic.AtomicReference<Thread> lastRunOwner =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch helped = new java.util.concurrent.CountDownLatch(1);
    RecordingHooks hooks =
        new RecordingHooks("chunks fitted on", Long.MAX_VALUE) {
          @Override
          public Lease reserve(String what, long bytes) {
            // the run's own thread reserves its rows first; the thread that helps may report a
            // chunk of it before the owner does
            if (what.startsWith("select run 3: rows")) {
              lastRunOwner.set(Thread.currentThread());
            }
            return super.reserve(what, bytes);
          }

          @Override
          public void batchDone(BatchStats s) {
            if (!s.phase().equals("select") || s.step() != 3) {
              return;
            }
            lastRunThreads.add(Thread.currentThread());
            if (lastRunOwner.get() != Thread.currentThread()) {
              helped.countDown();
            } else if (helped.getCount() > 0) {
              // the last run's thread waits after its first chunk until the other thread, whose
              // run ends, fits one of the remaining chunks (unless that came first)
              awaitQuietly(helped);
            }
          }
        };
    SelectionResult alone =
        new FeatureSelector(options(3, 1), p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    SelectionResult helpedOut =
        new FeatureSelector(options(3, 2), p.store(), p.cols(), p.y(), hooks).select();
    // the other thread fitted a chunk of the last run, before or while its owner waited
    assertThat(helped.getCount()).isZero();
    assertThat(lastRunThreads).hasSize(2);
    assertThat(helpedOut.selected()).isEqualTo(alone.selected());
    assertThat(helpedOut.votes()).isEqualTo(alone.votes());
    assertThat(hooks.leases)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.closed).isTrue();
              // a chunk's block: at least 40 columns of the run's rows
              assertThat(l.peak).isGreaterThan(40L * 8 * 200);
            });
  }

  @Test
  @Timeout(120)
  void select_helpersBlockRefused_noHelp_sameResult_leasesClosed() {
    Planted p = planted(300, 400, 4);
    RecordingHooks hooks = new RecordingHooks("chunks fitted on", 0);
    SelectionResult alone =
        new FeatureSelector(options(3, 1), p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    SelectionResult refused =
        new FeatureSelector(options(3, 2), p.store(), p.cols(), p.y(), hooks).select();
    assertThat(refused.selected()).isEqualTo(alone.selected());
    assertThat(refused.votes()).isEqualTo(alone.votes());
    assertThat(hooks.leases)
        .allSatisfy(
            l -> {
              assertThat(l.closed).isTrue();
              assertThat(l.peak).isZero();
            });
  }

  @ParameterizedTest(name = "checked: {0}")
  @CsvSource({"false", "true"})
  @Timeout(120)
  void select_chunkFailsOnAHelperThread_selectThrowsIt_noHang(boolean checked) {
    Planted p = planted(300, 400, 4);
    Exception failure =
        checked
            ? new java.io.IOException("helper failed (checked)")
            : new java.util.concurrent.CancellationException("helper cancelled");
    java.util.concurrent.atomic.AtomicReference<Thread> lastRunOwner =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.CountDownLatch thrown = new java.util.concurrent.CountDownLatch(1);
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public void checkCancelled() {
            boolean helping =
                StackWalker.getInstance()
                    .walk(f -> f.anyMatch(s -> s.getMethodName().equals("helpOtherRuns")));
            if (helping) {
              thrown.countDown();
              FeatureSelectorTest.<RuntimeException>sneakyThrow(failure);
            }
          }

          @Override
          public void batchDone(BatchStats s) {
            if (s.phase().equals("select")
                && s.step() == 3
                && lastRunOwner.compareAndSet(null, Thread.currentThread())) {
              awaitQuietly(thrown);
            }
          }
        };
    FeatureSelector selector =
        new FeatureSelector(options(3, 2), p.store(), p.cols(), p.y(), hooks);
    Throwable t = org.assertj.core.api.Assertions.catchThrowable(selector::select);
    if (checked) {
      assertThat(t).isInstanceOf(IllegalStateException.class).hasCause(failure);
    } else {
      assertThat(t).isSameAs(failure);
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }

  private static boolean awaitQuietly(java.util.concurrent.CountDownLatch latch) {
    try {
      return latch.await(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static SelectionOptions options(int runs, int threads) {
    return new SelectionOptions(
        TargetKind.REGRESSION,
        runs,
        7L,
        0,
        40,
        true,
        PathOptions.forSelection(),
        SelectionOptions.DEFAULT_MAX_RUN_ROWS,
        SelectionOptions.DEFAULT_MAX_FIT_CELLS,
        threads);
  }

  @Test
  void
      select_noiseFilterRefusedItsMemory_filtersInHalves_findsTheSignalAndHoldsOnlyWhatWasGranted() {
    Planted p = planted(500, 300, 1);
    SelectionOptions o =
        new SelectionOptions(TargetKind.REGRESSION, 5, 0L, 0, 0, true, PathOptions.forSelection());
    long cap = FeatureSelector.noiseFilterBytes(TargetKind.REGRESSION, 12, 425, o.path());
    List<RecordingLease> filters = new CopyOnWriteArrayList<>();
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public Lease reserve(String what, long bytes) {
            if (!what.contains("noise filter")) {
              return Lease.NONE;
            }
            RecordingLease lease = new RecordingLease(cap);
            if (!lease.tryResize(bytes)) {
              throw new IllegalStateException("refused " + what + ": " + bytes + " bytes");
            }
            filters.add(lease);
            return lease;
          }
        };
    SelectionResult r = new FeatureSelector(o, p.store(), p.cols(), p.y(), hooks).select();
    List<Integer> idx = r.selected().stream().map(c -> c.expr().symbols()[0]).toList();
    assertThat(idx).containsAll(List.of(0, 1, 2, 3, 4));
    assertThat(filters.stream().mapToInt(l -> l.refusals).sum()).isPositive();
    assertThat(filters).allSatisfy(l -> assertThat(l.closed).isTrue());
    assertThat(filters).allSatisfy(l -> assertThat(l.peak).isLessThanOrEqualTo(cap));
  }

  @Test
  void select_sameSeed_sameResult_andChunkCapRespected() {
    Planted p = planted(300, 400, 2);
    List<BatchStats> stats = new ArrayList<>();
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public void batchDone(BatchStats s) {
            stats.add(s);
          }
        };
    SelectionOptions o =
        new SelectionOptions(TargetKind.REGRESSION, 3, 9L, 0, 60, true, PathOptions.forSelection());
    SelectionResult a = new FeatureSelector(o, p.store(), p.cols(), p.y(), hooks).select();
    SelectionResult b =
        new FeatureSelector(o, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    assertThat(b.selected()).isEqualTo(a.selected());
    assertThat(stats).isNotEmpty().allSatisfy(s -> assertThat(s.tried()).isLessThanOrEqualTo(60));
    assertThat(stats.stream().mapToInt(BatchStats::step).distinct().count()).isEqualTo(3);
  }

  @Test
  void select_initialSetTakingTheChunksShare_chunksAsWideAsItWithinTheFitBound() {
    Planted p = planted(300, 200, 3);
    int m = FeatureSelector.runRows(300, SelectionOptions.DEFAULT_MAX_RUN_ROWS);
    int fitCap = 80;
    List<int[]> chunks = new CopyOnWriteArrayList<>();
    Pattern described = Pattern.compile("chunks \\((\\d+) of up to (\\d+) \\+ (\\d+) columns\\)");
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public Lease reserve(String what, long bytes) {
            Matcher c = described.matcher(what);
            if (c.find()) {
              chunks.add(
                  new int[] {
                    Integer.parseInt(c.group(1)),
                    Integer.parseInt(c.group(2)),
                    Integer.parseInt(c.group(3))
                  });
            }
            return Lease.NONE;
          }
        };
    SelectionOptions o =
        new SelectionOptions(
            TargetKind.REGRESSION,
            3,
            5L,
            0,
            0,
            true,
            PathOptions.forSelection(),
            SelectionOptions.DEFAULT_MAX_RUN_ROWS,
            (long) m * fitCap,
            1);
    SelectionResult r = new FeatureSelector(o, p.store(), p.cols(), p.y(), hooks).select();

    int chunksShare =
        FeatureSelector.maxFitColumns(m, (long) m * fitCap / FeatureSelector.CHUNK_SHARE);
    assertThat(chunks).as("runs with chunks").isNotEmpty();
    assertThat(chunks)
        .as("an initial set and its noise wider than the chunks' share of the fit bound")
        .anySatisfy(c -> assertThat(c[2]).isGreaterThan(chunksShare / 2));
    assertThat(chunks)
        .allSatisfy(
            c -> {
              int splits = c[0];
              int size = c[1];
              int fixed = c[2];
              assertThat(size + fixed).as("a chunk fit's columns").isLessThanOrEqualTo(fitCap);
              // splitting the others evenly leaves each chunk at least half the width asked
              if (splits > 1) {
                assertThat(size)
                    .as("a chunk beside %d fixed columns, in %d splits", fixed, splits)
                    .isGreaterThanOrEqualTo(Math.min(fixed, fitCap - fixed) / 2);
              }
            });
    List<Integer> idx = r.selected().stream().map(c -> c.expr().symbols()[0]).toList();
    assertThat(idx).containsAll(List.of(0, 1, 2, 3, 4));
  }

  @Test
  void select_hookAsksForNarrowerChunks_isObeyed() {
    Planted p = planted(300, 200, 3);
    List<BatchStats> stats = new ArrayList<>();
    EngineHooks hooks =
        new EngineHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            if (phase.equals("select-filter") || phase.equals("select-carry")) {
              return suggested;
            }
            assertThat(bytesPerCandidate).isEqualTo(255L * Double.BYTES);
            return 25;
          }

          @Override
          public void batchDone(BatchStats s) {
            stats.add(s);
          }
        };
    new FeatureSelector(
            SelectionOptions.ofDefaults(TargetKind.REGRESSION), p.store(), p.cols(), p.y(), hooks)
        .select();
    assertThat(stats).isNotEmpty().allSatisfy(s -> assertThat(s.tried()).isLessThanOrEqualTo(25));
  }

  @Test
  void select_initialFitOnAllColumns_askedFirstAndScreenedWhenRefused() {
    Planted p = planted(300, 200, 3);
    List<String> asks = new ArrayList<>();
    EngineHooks refusing =
        new EngineHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            if (!phase.equals("select-filter") && !phase.equals("select-carry")) {
              asks.add(phase + " " + suggested);
            }
            return phase.equals("select-initial") ? suggested - 1 : suggested;
          }
        };
    SelectionOptions o = SelectionOptions.ofDefaults(TargetKind.REGRESSION);
    SelectionResult refused = new FeatureSelector(o, p.store(), p.cols(), p.y(), refusing).select();
    // m = 255 rows per run, so the screened width is 127 of the 205 columns
    assertThat(asks).hasSize(10).containsOnly("select-initial 205", "select 127");

    SelectionOptions screenedOnly =
        new SelectionOptions(TargetKind.REGRESSION, 5, 0L, 0, 0, false, PathOptions.forSelection());
    asks.clear();
    SelectionResult screened =
        new FeatureSelector(screenedOnly, p.store(), p.cols(), p.y(), refusing).select();
    assertThat(asks).hasSize(5).containsOnly("select 127");
    assertThat(screened.selected()).isEqualTo(refused.selected());

    SelectionResult all =
        new FeatureSelector(o, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    List<Integer> idx = all.selected().stream().map(c -> c.expr().symbols()[0]).toList();
    assertThat(idx).containsAll(List.of(0, 1, 2, 3, 4));
  }

  @Test
  void select_moreThanTenColumnsPerRunRow_screensWithoutAskingForAllColumns() {
    // 40 rows: m = 34 per run, so 345 columns are just over 10 per row
    Planted p = planted(40, 340, 4);
    List<String> asks = new ArrayList<>();
    EngineHooks granting =
        new EngineHooks() {
          @Override
          public int nextBatchSize(String phase, int step, int suggested, long bytesPerCandidate) {
            if (!phase.equals("select-filter") && !phase.equals("select-carry")) {
              asks.add(phase + " " + suggested);
            }
            return suggested;
          }
        };
    assertThat(FeatureSelector.initialFitMayTakeAll(345, 34)).isFalse();
    assertThat(FeatureSelector.initialFitMayTakeAll(340, 34)).isTrue();
    SelectionResult wide =
        new FeatureSelector(
                SelectionOptions.ofDefaults(TargetKind.REGRESSION),
                p.store(),
                p.cols(),
                p.y(),
                granting)
            .select();
    assertThat(asks).hasSize(5).containsOnly("select 17");

    SelectionOptions screenedOnly =
        new SelectionOptions(TargetKind.REGRESSION, 5, 0L, 0, 0, false, PathOptions.forSelection());
    SelectionResult screened =
        new FeatureSelector(screenedOnly, p.store(), p.cols(), p.y(), EngineHooks.NONE).select();
    assertThat(wide.selected()).isEqualTo(screened.selected());
  }

  @Test
  void select_noRuns_keepsEveryColumn() {
    Planted p = planted(100, 10, 4);
    SelectionOptions o =
        new SelectionOptions(TargetKind.REGRESSION, 0, 0L, 0, 0, true, PathOptions.forSelection());
    assertThat(
            new FeatureSelector(o, p.store(), p.cols(), p.y(), EngineHooks.NONE)
                .select()
                .selected())
        .hasSize(15);
  }

  @Test
  void noise_shuffledCopiesAreStandardisedAndGaussianColumnsAdded() {
    SplittableRandom rnd = new SplittableRandom(5);
    double[][] x = new double[4][100];
    for (double[] c : x) {
      for (int i = 0; i < 100; i++) {
        c[i] = 10 + 3 * rnd.nextGaussian();
      }
    }
    double[][] noise = FeatureSelector.noise(x, 100, rnd);
    assertThat(noise).hasNumberOfRows(4 + 3);
    for (int j = 0; j < 4; j++) {
      double mean = Vectors.mean(noise[j]);
      assertThat(mean).isCloseTo(0, within(1e-12));
      assertThat(Vectors.std(noise[j], mean)).isCloseTo(1, within(1e-12));
    }
    assertThat(FeatureSelector.noise(new double[1][100], 100, rnd)).hasNumberOfRows(3);
    assertThat(FeatureSelector.noise(new double[4][40], 40, rnd)).hasNumberOfRows(3);
  }
}
