package io.memguard.autofeat.internal.select;

import io.memguard.autofeat.internal.batch.BatchStats;
import io.memguard.autofeat.internal.batch.EngineHooks;
import io.memguard.autofeat.internal.batch.GuardedHooks;
import io.memguard.autofeat.internal.feateng.ColumnStore;
import io.memguard.autofeat.internal.feateng.FeatureColumn;
import io.memguard.autofeat.internal.linear.L1Models;
import io.memguard.autofeat.internal.linear.PathOptions;
import io.memguard.autofeat.internal.linear.ProblemType;
import io.memguard.autofeat.internal.math.Rng;
import io.memguard.autofeat.internal.math.Vectors;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Selects features from the columns of a {@link ColumnStore} following autofeat's procedure, one chunk of columns
 * at a time; not thread-safe (one instance per fit).
 *
 * <p>Each run {@code r} draws {@code m = max(10, int(0.85 n))} rows with a seed derived from the configured seed
 * and {@code r}. Its initial L1 fit runs, as autofeat's, on all P columns when {@link SelectionOptions#initialFitAll()}
 * allows it, P is at most {@link #MAX_INITIAL_COLUMNS_PER_ROW} times m, and the hooks grant the P x m block
 * ({@link EngineHooks#nextBatchSize} for phase {@code "select-initial"} answers at least P); otherwise every column
 * is scored by its absolute correlation with the target on the run's rows (one streaming pass, O(1) memory per
 * column) and the L1 fit runs on the best-scored chunk of
 * {@code max(10, int(0.5 m))} columns. The fit's top {@code m // 5} columns form the initial set. The rest follows
 * autofeat: noise filter of the initial set, the remaining columns in seeded random order in
 * chunks of {@code max(10, int(0.5 m - |initial|))}, each fitted with the initial set and its noise columns,
 * columns beating the largest noise weight kept, and a last noise filter. Votes over the runs rank the columns
 * (ties: shorter printed expression, then higher |corr| with the target, then lower column index); a column is dropped if its |corr| with a column
 * kept above it is at least 0.9; a final noise filter on all rows gives the result.
 *
 * <p>Memory: besides one score per column, only the current fit's standardised columns on the run's rows exist
 * ({@code width x m} doubles, {@code P x m} for an initial fit on all columns); the width can be capped by
 * {@link SelectionOptions#maxChunkWidth()} and by {@link EngineHooks#nextBatchSize}.
 */
public final class FeatureSelector {

    private static final Logger LOG = LoggerFactory.getLogger(FeatureSelector.class);
    /** Columns whose |corr| with a better-ranked kept column reaches this are dropped. */
    public static final double MAX_CORRELATION = 0.9;
    /**
     * The initial L1 fit takes all columns only while they are at most this many times the run's rows; wider sets
     * are screened first (see {@link #initialFitMayTakeAll}).
     */
    public static final int MAX_INITIAL_COLUMNS_PER_ROW = 10;

    /**
     * Whether a run's initial L1 fit on {@code m} rows may take all {@code columns}. Beyond
     * {@link #MAX_INITIAL_COLUMNS_PER_ROW} columns per row a Lasso on all of them picks up columns whose correlation
     * with the target is spurious, and the initial set conditions every chunk of the run; sure-independence
     * screening (Fan and Lv 2008) is the remedy for that regime. Measured on diabetes subsets (docs/autofeat.md,
     * section 4): all columns won at up to 6 columns per row, screening at 17 and more.
     */
    public static boolean initialFitMayTakeAll(long columns, int m) {
        return columns <= (long) MAX_INITIAL_COLUMNS_PER_ROW * m;
    }

    /** The rows one selection run draws from {@code rows}: {@code max(10, int(0.85 rows))}, at most all of them. */
    public static int runRows(int rows) {
        return Math.min(rows, Math.max(10, (int) (0.85 * rows)));
    }

    private final SelectionOptions options;
    private final ColumnStore store;
    private final List<FeatureColumn> columns;
    private final double[] target;
    private final GuardedHooks hooks;
    private final int[] baseRows;
    private final double[] scratch;

    /**
     * Prepares a selection.
     *
     * @param options the settings
     * @param store the store holding the columns' values
     * @param columns the columns to select from (start features and candidates)
     * @param y the target, one value per store row (class labels for classification)
     * @param hooks hooks for chunk sizing, progress and cancellation
     */
    public FeatureSelector(
            SelectionOptions options, ColumnStore store, List<FeatureColumn> columns, double[] y, EngineHooks hooks) {
        this.options = Objects.requireNonNull(options, "options");
        this.store = Objects.requireNonNull(store, "store");
        this.columns = List.copyOf(columns);
        this.hooks = GuardedHooks.of(hooks);
        int n = store.rows();
        if (y.length != n) {
            throw new IllegalArgumentException("target has " + y.length + " values, store has " + n + " rows");
        }
        int[] base = IntStream.range(0, n).toArray();
        if (options.maxRows() > 0 && options.maxRows() < n) {
            int[] perm = Rng.permutation(n, new SplittableRandom(Rng.derive(options.seed(), -1)));
            base = Arrays.copyOf(perm, Math.max(10, options.maxRows()));
            Arrays.sort(base);
        }
        this.baseRows = base;
        this.scratch = new double[n];
        if (options.problem() == ProblemType.REGRESSION) {
            double mean = Vectors.mean(y);
            double std = Vectors.std(y, mean);
            double inv = std > 0 ? 1 / std : 1;
            target = new double[n];
            for (int i = 0; i < n; i++) {
                target[i] = (y[i] - mean) * inv;
            }
        } else {
            target = y.clone();
        }
    }

    /** Runs the selection. */
    public SelectionResult select() {
        int p = columns.size();
        if (options.runs() <= 0 || p == 0) {
            List<Integer> ones = new ArrayList<>();
            columns.forEach(c -> ones.add(0));
            return new SelectionResult(columns, ones, p, p, baseRows.length);
        }
        int[] votes = new int[p];
        for (int r = 0; r < options.runs(); r++) {
            hooks.checkCancelled();
            for (int j : run(r)) {
                votes[j]++;
            }
        }
        Integer[] ranked = IntStream.range(0, p).filter(j -> votes[j] > 0).boxed().toArray(Integer[]::new);
        Comparator<Integer> byVotes = Comparator.<Integer>comparingInt(j -> -votes[j])
                .thenComparingInt(j -> columns.get(j).name().length());
        // in the correlation filter, ties of votes and printed length go to the column closer to the target
        // (autofeat falls back to column order); the survivors then go on in autofeat's order
        double[] affinity = screen(Arrays.stream(ranked).mapToInt(Integer::intValue).toArray(), baseRows,
                gather(target, baseRows));
        Arrays.sort(ranked, byVotes.thenComparingDouble(j -> -affinity[j]).thenComparingInt(j -> j));
        hooks.checkCancelled();
        List<Integer> kept = correlationFilter(ranked);
        kept.sort(byVotes.thenComparingInt(j -> j));
        int[] rows = baseRows;
        double[] y = gather(target, rows);
        List<Integer> finalCols = noiseFilter(kept, rows, y, new SplittableRandom(Rng.derive(options.seed(), 1_000_003)));
        List<FeatureColumn> selected = new ArrayList<>();
        List<Integer> v = new ArrayList<>();
        for (int j : kept) {
            if (finalCols.contains(j)) {
                selected.add(columns.get(j));
                v.add(votes[j]);
            }
        }
        hooks.progress("select", 0, 1, 1, 100.0);
        LOG.debug("selection: {} columns voted, {} after correlation filter, {} selected", ranked.length,
                kept.size(), selected.size());
        return new SelectionResult(selected, v, ranked.length, kept.size(), baseRows.length);
    }

    /** One selection run; returns the indices (into {@code columns}) it selects. */
    private List<Integer> run(int r) {
        SplittableRandom rnd = new SplittableRandom(Rng.derive(options.seed(), r));
        int step = r + 1;
        int nBase = baseRows.length;
        int m = runRows(nBase);
        int[] perm = Rng.permutation(nBase, rnd);
        int[] rows = new int[m];
        for (int i = 0; i < m; i++) {
            rows[i] = baseRows[perm[i]];
        }
        double[] y = gather(target, rows);
        int p = columns.size();

        // 1. the initial fit's columns: all of them (autofeat) if there are few enough per row and the hooks grant
        // the p x m block, else the chunk width of the columns that correlate best with the target
        int width = Math.max(10, (int) (0.5 * m));
        if (options.maxChunkWidth() > 0) {
            width = Math.min(width, options.maxChunkWidth());
        }
        width = Math.min(width, p);
        long columnBytes = (long) m * Double.BYTES;
        int asked = -1;
        if (width < p && options.initialFitAll() && options.maxChunkWidth() == 0
                && initialFitMayTakeAll(p, m)) {
            asked = Math.max(1, hooks.nextBatchSize("select-initial", step, p, columnBytes));
        }
        boolean granted = asked >= p;
        if (!granted && (asked < 0 || asked > width)) {
            // one answer per run caps the initial fit and every chunk (each a width x m block of doubles)
            asked = Math.max(1, hooks.nextBatchSize("select", step, width, columnBytes));
        }
        width = granted ? p : Math.min(width, asked);
        int[] screened;
        if (width == p) {
            screened = IntStream.range(0, p).toArray();
        } else {
            double[] score = screen(null, rows, y);
            Integer[] order = IntStream.range(0, p).boxed().toArray(Integer[]::new);
            Arrays.sort(order, Comparator.<Integer>comparingDouble(j -> -score[j]).thenComparingInt(j -> j));
            screened = new int[width];
            for (int k = 0; k < width; k++) {
                screened[k] = order[k];
            }
            Arrays.sort(screened);
        }

        // 2. initial L1 fit; keep at most m // 5 columns
        double[] w = weights(load(screened, rows), m, y);
        double[] sorted = w.clone();
        Arrays.sort(sorted);
        double thr = sorted[sorted.length - 1 - Math.min(sorted.length - 1, m / 5)];
        List<Integer> initial = new ArrayList<>();
        for (int k = 0; k < screened.length; k++) {
            if (w[k] > thr) {
                initial.add(screened[k]);
            }
        }
        initial = noiseFilter(initial, rows, y, rnd);

        // 3. the initial set plus its noise columns accompany every chunk
        double[][] xInit = load(toArray(initial), rows);
        double[][] noise = noise(xInit, m, rnd);
        boolean[] inInitial = new boolean[p];
        initial.forEach(j -> inInitial[j] = true);
        int[] others = IntStream.range(0, p).filter(j -> !inInitial[j]).toArray();
        Rng.shuffle(others, rnd);
        int chunk = Math.max(10, (int) (0.5 * m - initial.size()));
        if (options.maxChunkWidth() > 0) {
            chunk = Math.min(chunk, options.maxChunkWidth());
        }
        int fixed = xInit.length + noise.length;
        chunk = Math.max(1, Math.min(chunk, asked));
        boolean[] picked = new boolean[p];
        initial.forEach(j -> picked[j] = true);
        int splits = others.length == 0 ? 0 : (others.length + chunk - 1) / chunk;
        int size = splits == 0 ? 0 : (others.length + splits - 1) / splits;
        for (int c = 0; c < splits; c++) {
            hooks.checkCancelled();
            long t0 = System.nanoTime();
            int from = c * size;
            int to = Math.min(others.length, from + size);
            int[] part = Arrays.copyOfRange(others, from, to);
            double[][] xChunk = load(part, rows);
            double[][] all = new double[part.length + fixed][];
            System.arraycopy(xChunk, 0, all, 0, part.length);
            System.arraycopy(xInit, 0, all, part.length, xInit.length);
            System.arraycopy(noise, 0, all, part.length + xInit.length, noise.length);
            double[] wc = weights(all, m, y);
            double noiseMax = 0;
            for (int k = part.length + xInit.length; k < all.length; k++) {
                noiseMax = Math.max(noiseMax, wc[k]);
            }
            int accepted = 0;
            for (int k = 0; k < part.length; k++) {
                if (wc[k] > noiseMax) {
                    picked[part[k]] = true;
                    accepted++;
                }
            }
            for (int k = 0; k < xInit.length; k++) {
                if (wc[part.length + k] > noiseMax) {
                    picked[initial.get(k)] = true;
                }
            }
            hooks.batchDone(new BatchStats("select", step, c, part.length, accepted, accepted, 0,
                    (long) all.length * m * Double.BYTES, 0, store.bytesUsed(), System.nanoTime() - t0));
            hooks.progress("select", step, c + 1, splits, 100.0 * (c + 1) / splits);
        }
        List<Integer> cands = new ArrayList<>();
        for (int j = 0; j < p; j++) {
            if (picked[j]) {
                cands.add(j);
            }
        }
        List<Integer> out = noiseFilter(cands, rows, y, rnd);
        LOG.debug("selection run {}: m={}, initial fit on {} of {} columns, initial={}, chunks={}, candidates={},"
                + " selected={}", step, m, width, p, initial.size(), splits, cands.size(), out.size());
        return out;
    }

    /**
     * |corr| with the target on {@code rows} (max over classes for classification) of the columns {@code only}
     * (null: every column); the result is indexed by column, 0 for columns not scored.
     */
    private double[] screen(int[] only, int[] rows, double[] y) {
        int p = columns.size();
        int[] cols = only != null ? only : IntStream.range(0, p).toArray();
        int m = rows.length;
        double[] score = new double[p];
        double[] v = new double[m];
        if (options.problem() == ProblemType.REGRESSION) {
            double ym = Vectors.mean(y);
            double[] yc = new double[m];
            double yss = 0;
            for (int i = 0; i < m; i++) {
                yc[i] = y[i] - ym;
                yss += yc[i] * yc[i];
            }
            for (int j : cols) {
                loadInto(j, rows, v);
                double vm = Vectors.mean(v);
                double vss = 0;
                for (int i = 0; i < m; i++) {
                    double d = v[i] - vm;
                    vss += d * d;
                }
                double cov = Vectors.dot(v, yc, 0, m);
                score[j] = vss > 0 && yss > 0 ? Math.abs(cov) / Math.sqrt(vss * yss) : 0;
            }
            return score;
        }
        double[] classes = L1Models.classes(y, m);
        int[] cls = new int[m];
        int[] count = new int[classes.length];
        for (int i = 0; i < m; i++) {
            cls[i] = Arrays.binarySearch(classes, y[i]);
            count[cls[i]]++;
        }
        double[] sums = new double[classes.length];
        for (int j : cols) {
            loadInto(j, rows, v);
            double vm = Vectors.mean(v);
            double vss = 0;
            Arrays.fill(sums, 0);
            for (int i = 0; i < m; i++) {
                double d = v[i] - vm;
                vss += d * d;
                sums[cls[i]] += d;
            }
            double best = 0;
            for (int k = 0; k < classes.length; k++) {
                double pk = count[k] / (double) m;
                double denom = Math.sqrt(vss * m * pk * (1 - pk));
                if (denom > 0) {
                    best = Math.max(best, Math.abs(sums[k]) / denom);
                }
            }
            score[j] = best;
        }
        return score;
    }

    /** Keeps the columns whose L1 weight beats every noise column's (autofeat's noise filter). */
    private List<Integer> noiseFilter(List<Integer> cols, int[] rows, double[] y, SplittableRandom rnd) {
        if (cols.isEmpty()) {
            return List.of();
        }
        int m = rows.length;
        double[][] x = load(toArray(cols), rows);
        double[][] noise = noise(x, m, rnd);
        double[][] all = new double[x.length + noise.length][];
        System.arraycopy(x, 0, all, 0, x.length);
        System.arraycopy(noise, 0, all, x.length, noise.length);
        double[] w = L1Models.absoluteWeights(options.problem(), all, m, y, noiseFilterPath());
        double noiseMax = 0;
        for (int k = x.length; k < all.length; k++) {
            noiseMax = Math.max(noiseMax, w[k]);
        }
        List<Integer> out = new ArrayList<>();
        for (int k = 0; k < x.length; k++) {
            if (w[k] > noiseMax) {
                out.add(cols.get(k));
            }
        }
        return out;
    }

    /**
     * Noise columns for {@code x} (d columns of m rows): if m > 50 and d > 1 a copy with all m*d values pooled,
     * shuffled and standardised per column; always {@code max(3, d / 2)} standard normal columns.
     */
    static double[][] noise(double[][] x, int m, SplittableRandom rnd) {
        int d = x.length;
        List<double[]> out = new ArrayList<>();
        if (m > 50 && d > 1) {
            double[] pool = new double[m * d];
            for (int j = 0; j < d; j++) {
                System.arraycopy(x[j], 0, pool, j * m, m);
            }
            Rng.shuffle(pool, rnd);
            for (int j = 0; j < d; j++) {
                double[] c = Arrays.copyOfRange(pool, j * m, (j + 1) * m);
                standardise(c);
                out.add(c);
            }
        }
        int k = Math.max(3, d / 2);
        for (int j = 0; j < k; j++) {
            double[] c = new double[m];
            for (int i = 0; i < m; i++) {
                c[i] = rnd.nextGaussian();
            }
            out.add(c);
        }
        return out.toArray(new double[0][]);
    }

    private static void standardise(double[] c) {
        double mean = Vectors.mean(c);
        double std = Vectors.std(c, mean);
        double inv = std > 0 ? 1 / std : 0;
        for (int i = 0; i < c.length; i++) {
            c[i] = (c[i] - mean) * inv;
        }
    }

    /**
     * Ranked columns in order; each is kept unless its |corr| with a column kept before it reaches 0.9 (only kept
     * columns are compared, see quirk Q4 in docs/autofeat.md).
     */
    private List<Integer> correlationFilter(Integer[] ranked) {
        List<Integer> kept = new ArrayList<>();
        List<double[]> keptValues = new ArrayList<>();
        int n = baseRows.length;
        for (int j : ranked) {
            double[] v = new double[n];
            loadInto(j, baseRows, v);
            double mean = Vectors.mean(v);
            double norm = 0;
            for (int i = 0; i < n; i++) {
                v[i] -= mean;
                norm += v[i] * v[i];
            }
            if (!(norm > 0)) {
                continue;
            }
            double inv = 1 / Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                v[i] *= inv;
            }
            boolean ok = true;
            for (double[] k : keptValues) {
                if (Math.abs(Vectors.dot(v, k, 0, n)) >= MAX_CORRELATION) {
                    ok = false;
                    break;
                }
            }
            if (ok) {
                kept.add(j);
                keptValues.add(v);
            }
        }
        return kept;
    }

    /**
     * The path of the noise-filter fits: for regression without glmnet's explained-deviance stop. On nearly
     * noise-free targets that stop ends the path while a small but real term (the {@code 15*x1} of the synthetic
     * set next to its large non-linear terms) still has coefficient 0, so the term cannot beat the noise columns.
     * Noise-filter fits have few columns, so the longer path is cheap.
     */
    private PathOptions noiseFilterPath() {
        PathOptions path = options.path();
        return options.problem() == ProblemType.REGRESSION
                ? path.withDevianceStops(1.0, path.minDevianceChange())
                : path;
    }

    private double[] weights(double[][] x, int m, double[] y) {
        return L1Models.absoluteWeights(options.problem(), x, m, y, options.path());
    }

    private double[][] load(int[] cols, int[] rows) {
        double[][] out = new double[cols.length][rows.length];
        for (int k = 0; k < cols.length; k++) {
            loadInto(cols[k], rows, out[k]);
        }
        return out;
    }

    /** The standardised values (global mean and std of the column) of column j at {@code rows}. */
    private void loadInto(int j, int[] rows, double[] dst) {
        FeatureColumn f = columns.get(j);
        double[] v = store.read(f.slot(), scratch);
        double mean = f.stats().mean();
        double std = f.stats().std();
        double inv = std > 0 ? 1 / std : 0;
        for (int i = 0; i < rows.length; i++) {
            dst[i] = (v[rows[i]] - mean) * inv;
        }
    }

    private static double[] gather(double[] v, int[] rows) {
        double[] out = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            out[i] = v[rows[i]];
        }
        return out;
    }

    private static int[] toArray(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
