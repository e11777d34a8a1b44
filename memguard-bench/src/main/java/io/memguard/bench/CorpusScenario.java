package io.memguard.bench;

import io.memguard.autofeat.ProblemType;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Fits AutoFeat on every data set of the corpus, each in a JVM of its own with the given heap and
 * the JVM's default flags otherwise, and compares with the Python autofeat 2.1.3 where its figures
 * are bundled: the real public data sets under {@code corpus/} and {@code data/}, and three
 * generated 200,000-row cases ({@link GeneratedData}). Prints a table to stderr and, as the last
 * stdout line, {@code {"cases":[{"dataset":..,"steps":..,"outcome":"ok|insufficient-memory|error",
 * "fitSeconds":..,"testScore":..,"featuresSelected":..,"peakReservedBytes":..,"peakLiveHeapBytes":..,
 * "peakRssBytes":..,"lightweight":..}, ...]}} (with more fields: the problem, the heap, the error
 * if any, and Python's figures).
 *
 * <p>With {@code --dir DIR} it fits the data sets of a directory instead: every {@code NAME.csv} (a
 * header row, numeric features, a {@code target} column) that has a {@code NAME_seed0_test_idx.txt}
 * beside it (0-based test rows, one per line), regression unless NAME is listed in {@code
 * --classification}, with Python's figures from {@code --reference FILE} (the bundled reference's
 * columns) or {@code DIR/autofeat-2.1.3-reference.tsv} if present. That is how data sets the
 * project never fitted are checked (docs/performance.md, "Held-out data sets").
 */
final class CorpusScenario implements Scenario {

  /**
   * One data set of the corpus: a bundled CSV with its split (resource paths), a CSV on disk with
   * its split ({@code onDisk}, file paths), or a generated spec.
   */
  record Case(
      String name,
      String csv,
      String testRows,
      ProblemType problem,
      String generated,
      boolean onDisk) {

    Case(String name, String csv, String testRows, ProblemType problem, String generated) {
      this(name, csv, testRows, problem, generated, false);
    }
  }

  static final String REFERENCE_FILE = "autofeat-2.1.3-reference.tsv";

  private static final String SPLIT_SUFFIX = "_seed0_test_idx.txt";

  static final List<Case> CASES =
      List.of(
          bundled("anes96", ProblemType.CLASSIFICATION),
          bundled("engel", ProblemType.REGRESSION),
          bundled("fair", ProblemType.CLASSIFICATION),
          bundled("grunfeld", ProblemType.REGRESSION),
          bundled("iris", ProblemType.CLASSIFICATION),
          bundled("longley", ProblemType.REGRESSION),
          bundled("macrodata", ProblemType.REGRESSION),
          bundled("modechoice", ProblemType.CLASSIFICATION),
          bundled("randhie", ProblemType.REGRESSION),
          bundled("scotland", ProblemType.REGRESSION),
          bundled("spector", ProblemType.CLASSIFICATION),
          bundled("stackloss", ProblemType.REGRESSION),
          bundled("star98", ProblemType.REGRESSION),
          bundled("wine", ProblemType.CLASSIFICATION),
          new Case(
              "diabetes",
              "data/diabetes.csv",
              "data/diabetes_seed0_test_idx.txt",
              ProblemType.REGRESSION,
              null),
          new Case(
              "synthetic",
              "data/synthetic_n2000_seed0.csv",
              "data/synthetic_n2000_seed0_test_idx.txt",
              ProblemType.REGRESSION,
              null),
          new Case("synthetic-200k", null, null, ProblemType.REGRESSION, "synthetic:200000:1"),
          new Case("mixed-200k", null, null, ProblemType.REGRESSION, "mixed:200000:2"),
          new Case("classes-200k", null, null, ProblemType.CLASSIFICATION, "classes:200000:3"));

  private static Case bundled(String name, ProblemType problem) {
    return new Case(
        name, "corpus/" + name + ".csv", "corpus/" + name + "_seed0_test_idx.txt", problem, null);
  }

  @Override
  public String name() {
    return "corpus";
  }

  @Override
  public String usage() {
    return "corpus [--steps N[,N...] (2,3)] [--heap-mb M (256)] [--only NAME,...]"
        + " [--timeout-seconds S (900)] [--parallelism N (available processors)]"
        + " [--dir DIR: its NAME.csv with NAME_seed0_test_idx.txt instead of the bundled corpus"
        + " [--classification NAME,...] [--reference FILE.tsv]]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    List<Integer> steps = new ArrayList<>();
    for (String s : ctx.string("steps", "2,3").split(",")) {
      steps.add(Integer.parseInt(s.strip()));
    }
    int heapMb = ctx.intValue("heap-mb", 256);
    String only = ctx.string("only", null);
    long timeout = ctx.longValue("timeout-seconds", 900);
    int parallelism = ctx.intValue("parallelism", Runtime.getRuntime().availableProcessors());
    String casesDir = ctx.string("dir", null);
    String classification = ctx.string("classification", null);
    String reference = ctx.string("reference", null);
    ctx.rejectUnused();
    List<Case> cases;
    Map<String, Json.JsonObject> python;
    if (casesDir == null) {
      if (classification != null || reference != null) {
        throw new IllegalArgumentException("--classification and --reference need --dir");
      }
      cases = select(CASES, only);
      python = pythonReference();
    } else {
      try {
        cases = select(directoryCases(Path.of(casesDir), classification), only);
      } catch (IOException e) {
        throw new UncheckedIOException("--dir: cannot list " + casesDir, e);
      }
      Path ref = reference != null ? Path.of(reference) : Path.of(casesDir).resolve(REFERENCE_FILE);
      python = reference != null || Files.isRegularFile(ref) ? pythonReference(ref) : Map.of();
    }
    List<Json.JsonObject> results = new ArrayList<>();
    Path dir;
    try {
      dir = Files.createTempDirectory("memguard-corpus");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a temporary directory", e);
    }
    try {
      ctx.progress(
          "corpus: %d data sets x steps %s, -Xmx%dm, default JIT and GC",
          cases.size(), steps, heapMb);
      ctx.progress(
          "%-15s %5s %-19s %8s %9s %9s %9s %8s %4s %10s %10s %9s %s",
          "dataset",
          "steps",
          "outcome",
          "fit s",
          "score",
          "Python s",
          "Py score",
          "speed-up",
          "feat",
          "reserved",
          "live heap",
          "RSS",
          "plan");
      for (Case c : cases) {
        List<String> data = dataArgs(c, dir);
        int dataHeapMb = c.generated() == null ? 0 : dataHeapMb(c.generated());
        for (int n : steps) {
          Json.JsonObject py = python.get(c.name() + "/" + n);
          Json.JsonObject r =
              dataHeapMb > heapMb
                  ? dataTooLarge(c, n, heapMb, dataHeapMb, py)
                  : runCase(c, data, n, heapMb, timeout, parallelism, dir, py);
          results.add(r);
          ctx.progress("%s", row(r));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("corpus: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("corpus: interrupted", e);
    } finally {
      deleteQuietly(dir);
    }
    return Json.object().put("cases", results);
  }

  static List<Case> select(String only) {
    return select(CASES, only);
  }

  static List<Case> select(List<Case> all, String only) {
    if (only == null || only.isBlank()) {
      return all;
    }
    Set<String> wanted = new LinkedHashSet<>(Arrays.asList(only.split(",")));
    List<Case> out = new ArrayList<>();
    for (Case c : all) {
      if (wanted.remove(c.name())) {
        out.add(c);
      }
    }
    if (!wanted.isEmpty()) {
      throw new IllegalArgumentException(
          "--only: unknown data set(s) "
              + wanted
              + "; known: "
              + all.stream().map(Case::name).toList());
    }
    return out;
  }

  /**
   * The data sets of a directory: each {@code NAME.csv} with a {@code NAME_seed0_test_idx.txt}, in
   * name order; classification for the names listed in {@code classification}.
   */
  static List<Case> directoryCases(Path dir, String classification) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--dir: " + dir + " is not a directory");
    }
    Set<String> classes = new LinkedHashSet<>();
    if (classification != null && !classification.isBlank()) {
      classes.addAll(Arrays.asList(classification.split(",")));
    }
    List<Case> out = new ArrayList<>();
    try (var files = Files.list(dir)) {
      for (Path csv : files.sorted().toList()) {
        String file = csv.getFileName().toString();
        if (!file.endsWith(".csv")) {
          continue;
        }
        String name = file.substring(0, file.length() - ".csv".length());
        Path split = dir.resolve(name + SPLIT_SUFFIX);
        if (!Files.isRegularFile(split)) {
          continue;
        }
        ProblemType problem =
            classes.remove(name) ? ProblemType.CLASSIFICATION : ProblemType.REGRESSION;
        out.add(new Case(name, csv.toString(), split.toString(), problem, null, true));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "--dir: " + dir + " has no NAME.csv with a NAME" + SPLIT_SUFFIX + " beside it");
    }
    if (!classes.isEmpty()) {
      throw new IllegalArgumentException(
          "--classification: no data set(s) "
              + classes
              + " in "
              + dir
              + "; found: "
              + out.stream().map(Case::name).toList());
    }
    return out;
  }

  /**
   * The heap in MiB a generated data set needs before any fit: the generated table and its training
   * and test copies (the table's size, twice) and the JVM's own 16 MiB. The data is the caller's
   * memory, loaded by the scenario.
   */
  private static int dataHeapMb(String spec) {
    long bytes = 2 * GeneratedData.generate(spec).data().estimatedBytes() + (16L << 20);
    return (int) ((bytes + (1 << 20) - 1) >> 20);
  }

  /**
   * A case whose data set alone does not fit the heap: no fork (loading it there is an {@code
   * OutOfMemoryError} before memguard is involved), outcome insufficient-memory, saying why.
   */
  private static Json.JsonObject dataTooLarge(
      Case c, int steps, int heapMb, int dataHeapMb, Json.JsonObject py) {
    Json.JsonObject r =
        Json.object()
            .put("dataset", c.name())
            .put("steps", steps)
            .put("outcome", "insufficient-memory")
            .put("problem", c.problem().name().toLowerCase(Locale.ROOT))
            .put("heapMb", heapMb);
    withoutFigures(r)
        .put(
            "message",
            "not forked: the data set alone needs a heap of "
                + dataHeapMb
                + " MiB (its table, training and test copies, and the JVM's own 16 MiB) and"
                + " the heap is "
                + heapMb
                + " MiB; the data is the caller's memory, loaded before any fit. Give the"
                + " JVM more heap, or fit from a CsvSource, which streams the file.");
    return withPython(r, py);
  }

  private static Json.JsonObject runCase(
      Case c,
      List<String> data,
      int steps,
      int heapMb,
      long timeout,
      int parallelism,
      Path dir,
      Json.JsonObject py)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(data);
    args.addAll(
        List.of(
            "--steps",
            Integer.toString(steps),
            "--problem",
            c.problem().name().toLowerCase(Locale.ROOT),
            "--parallelism",
            Integer.toString(parallelism)));
    ForkedFit.Result f = ForkedFit.run(heapMb, args, timeout, dir);
    Json.JsonObject j = f.json();
    Json.JsonObject r =
        Json.object()
            .put("dataset", c.name())
            .put("steps", steps)
            .put("outcome", f.outcome())
            .put("problem", c.problem().name().toLowerCase(Locale.ROOT))
            .put("heapMb", heapMb);
    if (j != null) {
      Object score = j.get(c.problem() == ProblemType.REGRESSION ? "testR2" : "testAccuracy");
      r.put("fitSeconds", j.get("fitSeconds"))
          .put("testScore", score)
          .put("featuresSelected", j.get("featuresSelected"))
          .put("peakReservedBytes", j.get("peakReservedBytes"))
          .put("peakLiveHeapBytes", j.get("peakLiveHeapBytes"))
          .put("peakRssBytes", j.get("peakRssBytes"))
          .put("lightweight", j.get("lightweight"))
          .put("allocatedBytes", j.get("allocatedBytes"))
          .put("rows", j.get("rows"))
          .put("plan", j.get("plan"))
          .put("message", j.get("message"));
    } else {
      withoutFigures(r)
          .put("errorKind", f.errorKind())
          .put("error", f.error())
          .put("wallSeconds", Math.round(f.wallSeconds() * 10) / 10.0);
    }
    return withPython(r, py);
  }

  /** A case that ran no fit: its figures are null. */
  private static Json.JsonObject withoutFigures(Json.JsonObject r) {
    return r.put("fitSeconds", null)
        .put("testScore", null)
        .put("featuresSelected", null)
        .put("peakReservedBytes", null)
        .put("peakLiveHeapBytes", null)
        .put("peakRssBytes", null)
        .put("lightweight", null);
  }

  private static Json.JsonObject withPython(Json.JsonObject r, Json.JsonObject py) {
    if (py != null) {
      r.put("pythonFitSeconds", py.get("fitSeconds"))
          .put("pythonTestScore", py.get("testScore"))
          .put("pythonPeakRssMiB", py.get("peakRssMiB"))
          .put("pythonOutcome", py.get("status"));
    }
    return r;
  }

  private static String row(Json.JsonObject r) {
    return String.format(
        Locale.ROOT,
        "%-15s %5s %-19s %8s %9s %9s %9s %8s %4s %10s %10s %9s %s",
        r.get("dataset"),
        r.get("steps"),
        "error".equals(r.get("outcome")) ? "error: " + r.get("errorKind") : r.get("outcome"),
        num(r.get("fitSeconds"), "%.2f"),
        num(r.get("testScore"), "%.4f"),
        num(r.get("pythonFitSeconds"), "%.1f"),
        num(r.get("pythonTestScore"), "%.4f"),
        speedup(r),
        r.get("featuresSelected") == null ? "-" : r.get("featuresSelected"),
        mib(r.get("peakReservedBytes")),
        mib(r.get("peakLiveHeapBytes")),
        mib(r.get("peakRssBytes")),
        r.get("plan") == null ? "" : r.get("plan"));
  }

  private static String speedup(Json.JsonObject r) {
    if (r.get("fitSeconds") instanceof Number ours
        && r.get("pythonFitSeconds") instanceof Number py
        && ours.doubleValue() > 0) {
      return String.format(Locale.ROOT, "%.1fx", py.doubleValue() / ours.doubleValue());
    }
    return "-";
  }

  private static String num(Object v, String format) {
    return v instanceof Number n ? String.format(Locale.ROOT, format, n.doubleValue()) : "-";
  }

  private static String mib(Object v) {
    return v instanceof Number n && n.longValue() >= 0
        ? String.format(Locale.ROOT, "%.1f MiB", n.doubleValue() / (1 << 20))
        : "-";
  }

  /**
   * The command-line arguments naming a case's data: its files copied out of the jar, or a spec.
   */
  private static List<String> dataArgs(Case c, Path dir) throws IOException {
    if (c.generated() != null) {
      return List.of("--generated", c.generated());
    }
    if (c.onDisk()) {
      return List.of("--csv", c.csv(), "--target", "target", "--test-rows", c.testRows());
    }
    Path csv = extract(c.csv(), dir);
    Path idx = extract(c.testRows(), dir);
    return List.of("--csv", csv.toString(), "--target", "target", "--test-rows", idx.toString());
  }

  private static Path extract(String resource, Path dir) throws IOException {
    try (InputStream in = CorpusScenario.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException("resource " + resource + " is missing from the jar");
      }
      Path out = dir.resolve(resource.replace('/', '_'));
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      return out;
    }
  }

  /**
   * The Python autofeat 2.1.3 figures bundled in {@code corpus/autofeat-2.1.3-reference.tsv}
   * (dataset, steps, status, fitSeconds, testScore, featuresSelected, peakRssMiB), by {@code
   * dataset/steps}; empty when the file is absent.
   */
  static Map<String, Json.JsonObject> pythonReference() {
    InputStream in = CorpusScenario.class.getResourceAsStream("/corpus/" + REFERENCE_FILE);
    if (in == null) {
      return new HashMap<>();
    }
    return pythonReference(in, "the bundled Python reference figures");
  }

  /** The Python figures of a file in the bundled reference's format. */
  static Map<String, Json.JsonObject> pythonReference(Path file) {
    try {
      return pythonReference(Files.newInputStream(file), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException("--reference: cannot read " + file + ": " + e, e);
    }
  }

  private static Map<String, Json.JsonObject> pythonReference(InputStream in, String what) {
    Map<String, Json.JsonObject> out = new HashMap<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String[] header = null;
      for (String line; (line = r.readLine()) != null; ) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (header == null) {
          header = f;
          continue;
        }
        Json.JsonObject o = Json.object();
        for (int k = 0; k < header.length && k < f.length; k++) {
          o.put(header[k], parse(f[k]));
        }
        out.put(f[0] + "/" + f[1], o);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + what, e);
    }
    return out;
  }

  private static Object parse(String v) {
    if (v.isEmpty()) {
      return null;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return v;
    }
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(p);
      }
      Files.deleteIfExists(dir);
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }
}
