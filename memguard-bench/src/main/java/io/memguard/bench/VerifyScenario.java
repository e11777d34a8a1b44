package io.memguard.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code verify}: the leak, stress, concurrency and validation suite of issue 14 (MISSION 7.1-7.3,
 * 9.2). Every check runs in a forked JVM of its own with a small heap; the report comes as Markdown
 * on stderr (and in {@code --markdown FILE}) and as JSON, the last stdout line: {@code
 * {"scenario":"verify","profile":..,"passed":..,"checks":[{"section":..,"name":..,"passed":..,
 * "criterion":..,"result":{..}}, ...]}}.
 *
 * <p>The short profile (the default, a few minutes) runs in every {@code ./mvnw verify}; the long
 * profile ({@code --profile long}, over 30 minutes) is the validation run reported in
 * docs/verification.md.
 */
final class VerifyScenario implements Scenario {

  static final String MAIN = VerifyWorkloadMain.class.getName();

  /** One profile's sizes. */
  record Profile(
      String name,
      int leakSeconds,
      double detectWithinSeconds,
      boolean quickDetector,
      String leakRate,
      int leakHeapMb,
      int parallelLeaks,
      int fitsSeconds,
      int atLimitSeconds,
      int largeRows,
      int beyondRows,
      int largeHeapMb,
      String validationCases,
      String validationSteps,
      int guardTasks) {}

  static final Profile SHORT =
      new Profile(
          "short",
          25,
          25,
          true,
          "1m",
          128,
          4,
          30,
          15,
          20_000,
          300_000,
          64,
          "diabetes,synthetic",
          "2",
          4);

  static final Profile LONG =
      new Profile(
          "long",
          120,
          120,
          false,
          "512k",
          256,
          2,
          600,
          180,
          40_000,
          500_000,
          64,
          "anes96,engel,fair,grunfeld,iris,longley,macrodata,modechoice,randhie,scotland,spector,"
              + "stackloss,star98,wine,diabetes,synthetic",
          "2,3",
          6);

  @Override
  public String name() {
    return "verify";
  }

  @Override
  public String usage() {
    return "verify [--profile short|long (short)] [--only leaks,stress,concurrency,validation]"
        + " [--markdown FILE]";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    String profileName = ctx.string("profile", "short");
    Profile p =
        switch (profileName) {
          case "short" -> SHORT;
          case "long" -> LONG;
          default ->
              throw new IllegalArgumentException(
                  "--profile must be short or long, got " + profileName);
        };
    Set<String> sections =
        Set.of(ctx.string("only", "leaks,stress,concurrency,validation").split(","));
    for (String s : sections) {
      if (!Set.of("leaks", "stress", "concurrency", "validation").contains(s)) {
        throw new IllegalArgumentException(
            "--only takes leaks, stress, concurrency, validation; got " + s);
      }
    }
    String markdown = ctx.string("markdown", null);
    ctx.rejectUnused();
    long start = System.nanoTime();
    Path work = Files.createTempDirectory("memguard-verify");
    List<Check> checks = new ArrayList<>();
    try {
      if (sections.contains("leaks")) {
        checks.addAll(leaks(ctx, p));
      }
      if (sections.contains("stress")) {
        checks.addAll(stress(ctx, p, work));
      }
      if (sections.contains("concurrency")) {
        checks.addAll(concurrency(ctx, p));
      }
      if (sections.contains("validation")) {
        checks.add(validation(ctx, p));
      }
    } finally {
      deleteQuietly(work);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean passed = checks.stream().allMatch(Check::passed);
    String md = markdown(p, checks, seconds, passed);
    ctx.err().println(md);
    if (markdown != null) {
      Files.writeString(Path.of(markdown), md, StandardCharsets.UTF_8);
    }
    List<Object> list = new ArrayList<>();
    for (Check c : checks) {
      list.add(
          Json.object()
              .put("section", c.section)
              .put("name", c.name)
              .put("passed", c.passed)
              .put("criterion", c.criterion)
              .put("summary", c.summary)
              .put("result", c.result));
    }
    return Json.object()
        .put("scenario", "verify")
        .put("profile", p.name())
        .put("date", LocalDate.now().toString())
        .put("seconds", VerifyWorkloadMain.round(seconds))
        .put("passed", passed)
        .put("checksPassed", checks.stream().filter(Check::passed).count())
        .put("checks", list);
  }

  /** One check of the suite: what it asked, whether it held, and the forked JVM's figures. */
  record Check(
      String section,
      String name,
      boolean passed,
      String criterion,
      String summary,
      Object result) {}

  // ---- 7.1 leaks ------------------------------------------------------------------------------

  private List<Check> leaks(ScenarioContext ctx, Profile p) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(p.parallelLeaks());
    try {
      Map<String, Future<ForkedWorkload.Forked>> runs = new LinkedHashMap<>();
      for (PipelineLeaks.Kind kind : PipelineLeaks.Kind.values()) {
        for (boolean fixed : new boolean[] {false, true}) {
          List<String> args =
              List.of(
                  "leak",
                  "--kind",
                  kind.option(),
                  "--fixed",
                  Boolean.toString(fixed),
                  "--seconds",
                  Integer.toString(p.leakSeconds()),
                  "--rate",
                  p.leakRate(),
                  "--quick",
                  Boolean.toString(p.quickDetector()));
          String label = kind.option() + (fixed ? " (fixed)" : "");
          runs.put(
              kind.option() + "/" + fixed,
              pool.submit(
                  () ->
                      ForkedWorkload.fork(
                          ctx, label, p.leakHeapMb(), List.of(), MAIN, args, null, 600)));
        }
      }
      List<Check> out = new ArrayList<>();
      for (PipelineLeaks.Kind kind : PipelineLeaks.Kind.values()) {
        ForkedWorkload.Forked leaking = runs.get(kind.option() + "/false").get();
        ForkedWorkload.Forked fixed = runs.get(kind.option() + "/true").get();
        Json.JsonObject l = leaking.json();
        Json.JsonObject f = fixed.json();
        boolean detected =
            l != null
                && l.get("detected") == Boolean.TRUE
                && l.get("suspectRight") == Boolean.TRUE
                && l.get("detectionSeconds") instanceof Number n
                && n.doubleValue() <= p.detectWithinSeconds();
        boolean quiet =
            f != null
                && f.get("detected") == Boolean.FALSE
                && ((Number) f.get("leakReports")).longValue() == 0
                && ((Number) f.get("reservationLeaks")).longValue() == 0;
        String expected =
            (kind.suspectClass != null ? "class " + kind.suspectClass.getSimpleName() : "")
                + (kind.suspectClass != null && kind.suspectScope != null ? " and " : "")
                + (kind.suspectScope != null ? "scope " + kind.suspectScope : "");
        String summary =
            l == null
                ? "leaking run failed: " + leaking.failure()
                : (l.get("detected") == Boolean.TRUE
                        ? "detected after " + l.get("detectionSeconds") + " s"
                        : "NOT detected")
                    + ", suspects "
                    + l.get("suspects")
                    + (kind == PipelineLeaks.Kind.DROPPED_RESERVATION
                        ? ", reservation leaks in " + l.get("reservationLeakScopes")
                        : "")
                    + "; fixed: "
                    + (f == null
                        ? "run failed: " + fixed.failure()
                        : (quiet ? "no leak" : "REPORTED " + f.get("leakReports") + " reports"));
        Json.JsonObject both = Json.object().put("leaking", l).put("fixed", f);
        out.add(
            new Check(
                "leaks",
                kind.option(),
                detected && quiet,
                kind.description
                    + ": detected within "
                    + (int) p.detectWithinSeconds()
                    + " s naming "
                    + expected
                    + "; the fix shows no leak over the same "
                    + p.leakSeconds()
                    + " s",
                summary,
                both));
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- 7.2 stress -----------------------------------------------------------------------------

  private List<Check> stress(ScenarioContext ctx, Profile p, Path work) throws Exception {
    List<Check> out = new ArrayList<>();
    // the largest data the heap allows, then beyond it
    for (int rows : new int[] {p.largeRows(), p.beyondRows()}) {
      int heapMb = rows == p.largeRows() ? 2 * p.largeHeapMb() : p.largeHeapMb();
      ForkedFit.Result r =
          ForkedFit.run(
              heapMb,
              List.of("--generated", "synthetic:" + rows + ":7", "--steps", "2"),
              900,
              work);
      Json.JsonObject j = r.json();
      boolean ok = r.outcome().equals("ok") || r.outcome().equals("insufficient-memory");
      ctx.progress(
          "verify: large data %d rows in -Xmx%dm: %s (%.1f s)",
          rows, heapMb, r.outcome(), r.wallSeconds());
      out.add(
          new Check(
              "stress",
              "large-data-" + rows,
              ok && !r.outOfMemory(),
              rows
                  + " rows x 2 steps in -Xmx"
                  + heapMb
                  + "m: completes (normal or lightweight plan) or refuses with"
                  + " InsufficientMemoryException before allocating; never OutOfMemoryError",
              r.outcome()
                  + (j == null
                      ? " " + r.errorKind() + " " + r.error()
                      : ", lightweight "
                          + j.get("lightweight")
                          + ", peak reserved "
                          + j.get("peakReservedBytes")
                          + " B")
                  + String.format(Locale.ROOT, ", %.1f s", r.wallSeconds()),
              j == null ? Json.object().put("outcome", r.outcome()).put("error", r.error()) : j));
    }

    ForkedWorkload.Forked fits =
        ForkedWorkload.fork(
            ctx,
            "fits",
            256,
            List.of(),
            MAIN,
            List.of(
                "fits",
                "--seconds",
                Integer.toString(p.fitsSeconds()),
                "--quick",
                Boolean.toString(p.quickDetector())),
            null,
            p.fitsSeconds() + 600);
    Json.JsonObject fj = fits.json();
    long heap = 256L << 20;
    boolean flat =
        fj != null
            && num(fj, "liveAfterFullGcStartBytes") > 0
            && num(fj, "liveAfterFullGcEndBytes")
                <= num(fj, "liveAfterFullGcStartBytes") + Math.max(4L << 20, heap / 20);
    out.add(
        new Check(
            "stress",
            "back-to-back-fits",
            fj != null
                && flat
                && num(fj, "leakReports") == 0
                && num(fj, "reservedBytesAtEnd") == 0
                && num(fj, "reservationLeaks") == 0
                && fj.get("sameScoreEveryFit") == Boolean.TRUE,
            "AutoFeat fits back to back for "
                + p.fitsSeconds()
                + " s in -Xmx256m: no leak report, the live heap after a full collection at the end"
                + " within max(4 MiB, 5% of heap) of the one after the first tenth, 0 B reserved at"
                + " the end, the same score every fit",
            fj == null
                ? "failed: " + fits.failure()
                : fj.get("fits")
                    + " fits, live heap after a full collection "
                    + mib(fj.get("liveAfterFullGcStartBytes"))
                    + " -> "
                    + mib(fj.get("liveAfterFullGcEndBytes"))
                    + "; after any collection (first and last quarter) "
                    + mib(fj.get("liveSetFirstQuarterBytes"))
                    + " -> "
                    + mib(fj.get("liveSetLastQuarterBytes"))
                    + ", trend "
                    + mib(fj.get("liveSetTrendBytesPerMinute"))
                    + "/min, "
                    + fj.get("leakReports")
                    + " leak reports",
            fj));

    ForkedWorkload.Forked limit =
        ForkedWorkload.fork(
            ctx,
            "at-limit",
            128,
            List.of(),
            MAIN,
            List.of("at-limit", "--seconds", Integer.toString(p.atLimitSeconds())),
            null,
            p.atLimitSeconds() + 300);
    Json.JsonObject lj = limit.json();
    out.add(
        new Check(
            "stress",
            "reservations-at-the-limit",
            lj != null
                && lj.get("peakWithinLimit") == Boolean.TRUE
                && num(lj, "reservedBytesAtEnd") == 0
                && num(lj, "reservationLeaks") == 0
                && num(lj, "granted") > 0
                && num(lj, "refused") + num(lj, "timedOut") > 0,
            "4 threads reserve (at once or with a 50 ms wait) against a budget of half the heap"
                + " for "
                + p.atLimitSeconds()
                + " s: never past the limit, refusals happen, 0 B reserved and no leak at the end",
            lj == null
                ? "failed: " + limit.failure()
                : lj.get("granted")
                    + " granted, "
                    + lj.get("refused")
                    + " refused, "
                    + lj.get("timedOut")
                    + " timed out, peak "
                    + mib(lj.get("maxReservedBytes"))
                    + " of "
                    + mib(lj.get("limitBytes")),
            lj));

    out.add(cgroup(ctx, p));
    return out;
  }

  /**
   * A JVM in a child memory cgroup of 320 MiB whose tasks fill direct buffers (native memory, which
   * no heap limit sees) far past it: guarded it must end by itself; unguarded, the same work is the
   * kernel OOM killer's.
   */
  private Check cgroup(ScenarioContext ctx, Profile p) throws Exception {
    String criterion =
        "in a child memory cgroup of 320 MiB, a -Xmx128m JVM whose tasks fill direct buffers"
            + " (native memory) up to 4 x 128 MiB, and a -Xmx512m JVM (a heap larger than its"
            + " container) whose tasks fill the heap up to 4 x 128 MiB, each end by themselves (not"
            + " OOM-killed, no OutOfMemoryError) with the guard on; the same runs unguarded are"
            + " killed by the kernel";
    Cgroups.Group group;
    try {
      group = Cgroups.create("memguard-verify-" + ProcessHandle.current().pid(), 320L << 20);
    } catch (IOException | RuntimeException e) {
      return new Check(
          "stress",
          "cgroup-memory-limit",
          true,
          criterion,
          "SKIPPED: no memory cgroup could be made on this machine (" + e.getMessage() + ")",
          Json.object().put("skipped", true).put("reason", String.valueOf(e.getMessage())));
    }
    try (group) {
      ForkedWorkload.Forked guarded = directMemoryRun(ctx, "cgroup guarded", true, group);
      ForkedWorkload.Forked unguarded = directMemoryRun(ctx, "cgroup unguarded", false, group);
      ForkedWorkload.Forked heapGuarded = largeHeapRun(ctx, "cgroup heap guarded", true, group);
      ForkedWorkload.Forked heapUnguarded =
          largeHeapRun(ctx, "cgroup heap unguarded", false, group);
      boolean survived = endedByItself(guarded) && endedByItself(heapGuarded);
      String summary =
          "direct memory guarded: "
              + describeGuardRun(guarded)
              + "; unguarded: "
              + describeGuardRun(unguarded)
              + "; heap of 512 MiB guarded: "
              + describeGuardRun(heapGuarded)
              + "; unguarded: "
              + describeGuardRun(heapUnguarded)
              + "; "
              + group.describe();
      return new Check(
          "stress",
          "cgroup-memory-limit",
          survived,
          criterion,
          summary,
          Json.object()
              .put("cgroup", group.describe())
              .put("guardedExit", guarded.exitCode())
              .put("guarded", guarded.json())
              .put("unguardedExit", unguarded.exitCode())
              .put("unguardedKilled", unguarded.exitCode() == 137)
              .put("unguarded", unguarded.json())
              .put("heapGuardedExit", heapGuarded.exitCode())
              .put("heapGuarded", heapGuarded.json())
              .put("heapUnguardedExit", heapUnguarded.exitCode())
              .put("heapUnguardedKilled", heapUnguarded.exitCode() == 137)
              .put("heapUnguarded", heapUnguarded.json()));
    }
  }

  private static boolean endedByItself(ForkedWorkload.Forked run) {
    return run.exitCode() == 0 && run.json() != null && run.json().get("oom") == Boolean.FALSE;
  }

  /**
   * The guard workload on a heap larger than the container ({@code -Xmx512m} in {@code group}): the
   * live-heap line sees a heap with room, so only the RSS protection stands between the tasks and
   * the kernel.
   */
  private static ForkedWorkload.Forked largeHeapRun(
      ScenarioContext ctx, String label, boolean guard, Cgroups.Group group)
      throws IOException, InterruptedException {
    return guardRunIn(group, ctx, label, guard, 512, List.of("-XX:+UseG1GC"), List.of());
  }

  /** The guard workload with direct buffers, in {@code group}. */
  private static ForkedWorkload.Forked directMemoryRun(
      ScenarioContext ctx, String label, boolean guard, Cgroups.Group group)
      throws IOException, InterruptedException {
    return guardRunIn(
        group,
        ctx,
        label,
        guard,
        128,
        List.of("-XX:+UseG1GC", "-XX:MaxDirectMemorySize=2g"),
        List.of("--direct", "true"));
  }

  /** Four tasks of 128 MiB, no retries (stopped tasks end), in {@code group}. */
  private static ForkedWorkload.Forked guardRunIn(
      Cgroups.Group group,
      ScenarioContext ctx,
      String label,
      boolean guard,
      int heapMb,
      List<String> jvmFlags,
      List<String> extra)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("guard", "--guarded", Boolean.toString(guard)));
    args.addAll(List.of("--tasks", "4", "--task-mb", "128", "--pace-ms", "10", "--retries", "0"));
    // direct buffers are freed only when a collection finds them, and nothing collects a JVM whose
    // tasks all stopped: tasks still waiting then give up instead of waiting 5 min
    args.addAll(List.of("--admission-timeout-s", "15", "--budget-heaps", "8"));
    args.addAll(extra);
    return ForkedWorkload.fork(ctx, label, heapMb, jvmFlags, GuardScenario.MAIN, args, group, 600);
  }

  private static String describeGuardRun(ForkedWorkload.Forked f) {
    if (f.exitCode() == 137) {
      return "KILLED by the kernel (exit 137)";
    }
    if (f.json() == null) {
      return "exit " + f.exitCode() + ": " + f.failure();
    }
    return "exit "
        + f.exitCode()
        + ", "
        + f.json().get("completed")
        + " completed, "
        + f.json().get("stoppedByGuard")
        + " stopped, OutOfMemoryError "
        + f.json().get("oom")
        + ", peak RSS "
        + mib(f.json().get("maxRssBytes"));
  }

  // ---- 7.3 concurrency ------------------------------------------------------------------------

  private List<Check> concurrency(ScenarioContext ctx, Profile p) throws Exception {
    List<Check> out = new ArrayList<>();
    ForkedWorkload.Forked fits =
        ForkedWorkload.fork(
            ctx, "concurrent-fits", 512, List.of(), MAIN, List.of("concurrent-fits"), null, 900);
    Json.JsonObject cj = fits.json();
    out.add(
        new Check(
            "concurrency",
            "eight-concurrent-fits",
            cj != null
                && num(cj, "completed") == 8
                && num(cj, "identicalToSingleThreaded") == 8
                && num(cj, "withinGrant") == 8
                && num(cj, "reservedBytesAtEnd") == 0
                && num(cj, "reservationLeaks") == 0,
            "8 threads fit AutoFeat at once through the allocator (room for 4 grants at a time):"
                + " all complete, each within its grant, each identical to a single-threaded fit"
                + " with the same seed",
            cj == null
                ? "failed: " + fits.failure()
                : cj.get("completed")
                    + " completed, "
                    + cj.get("identicalToSingleThreaded")
                    + " identical, "
                    + cj.get("withinGrant")
                    + " within grant, longest admission wait "
                    + cj.get("longestAdmissionWaitSeconds")
                    + " s",
            cj));

    // three JVMs at once on one host, each with its own manager, monitor and guard
    String isolation = "side by side on one host";
    {
      ExecutorService pool = Executors.newFixedThreadPool(3);
      List<Future<ForkedWorkload.Forked>> jvms = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        String label = "jvm-" + (i + 1);
        jvms.add(
            pool.submit(
                () ->
                    ForkedWorkload.fork(
                        ctx,
                        label,
                        128,
                        List.of("-XX:+UseG1GC"),
                        GuardScenario.MAIN,
                        List.of(
                            "guard",
                            "--guarded",
                            "true",
                            "--tasks",
                            Integer.toString(p.guardTasks()),
                            "--task-mb",
                            "64",
                            "--budget-heaps",
                            "2"),
                        null,
                        600)));
      }
      List<Object> results = new ArrayList<>();
      int survived = 0;
      int progressed = 0;
      StringBuilder summary = new StringBuilder();
      for (Future<ForkedWorkload.Forked> f : jvms) {
        ForkedWorkload.Forked r = f.get();
        boolean ok = r.exitCode() == 0 && r.json() != null && r.json().get("oom") == Boolean.FALSE;
        survived += ok ? 1 : 0;
        progressed += r.json() != null && num(r.json(), "completed") > 0 ? 1 : 0;
        summary.append(summary.length() == 0 ? "" : "; ").append(describeGuardRun(r));
        results.add(Json.object().put("exit", r.exitCode()).put("result", r.json()));
      }
      pool.shutdown();
      out.add(
          new Check(
              "concurrency",
              "three-competing-jvms",
              survived == 3 && progressed >= 1,
              "three JVMs (-Xmx128m each, tasks wanting 2x the heap, budget 2x the heap, guard on) "
                  + isolation
                  + ": each survives, at least one completes work; each JVM accounts its own"
                  + " memory",
              survived + " of 3 survived, " + progressed + " made progress: " + summary,
              Json.object().put("isolation", isolation).put("jvms", results)));
    }
    return out;
  }

  // ---- 9.2 validation -------------------------------------------------------------------------

  private Check validation(ScenarioContext ctx, Profile p) throws Exception {
    List<Object> runs = new ArrayList<>();
    boolean passed = true;
    StringBuilder summary = new StringBuilder();
    for (String steps : p.validationSteps().split(",")) {
      ForkedWorkload.Forked v =
          ForkedWorkload.fork(
              ctx,
              "validation steps " + steps,
              256,
              List.of(),
              MAIN,
              List.of("validation", "--cases", p.validationCases(), "--steps", steps),
              null,
              3600);
      Json.JsonObject j = v.json();
      runs.add(j == null ? Json.object().put("failure", v.failure()) : j);
      if (j == null) {
        passed = false;
        summary.append("steps ").append(steps).append(" failed: ").append(v.failure()).append("; ");
        continue;
      }
      @SuppressWarnings("unchecked")
      List<Object> cases = (List<Object>) j.get("cases");
      long ok = 0;
      long stable = 0;
      for (Object o : cases) {
        Json.JsonObject c = (Json.JsonObject) o;
        ok += "ok".equals(c.get("outcome")) ? 1 : 0;
        stable += c.get("sameScoreEveryFit") == Boolean.TRUE ? 1 : 0;
      }
      passed &=
          ok == cases.size()
              && stable == cases.size()
              && num(j, "leakReports") == 0
              && num(j, "reservedBytesAtEnd") == 0
              && num(j, "reservationLeaks") == 0;
      summary.append(
          String.format(
              Locale.ROOT,
              "steps %s: %d of %d data sets fitted, %d the same every repeat, %s s, max live set %s,"
                  + " %s leak reports; ",
              steps,
              ok,
              cases.size(),
              stable,
              j.get("seconds"),
              mib(j.get("maxLiveSetBytes")),
              j.get("leakReports")));
    }
    return new Check(
        "validation",
        "real-data-sets",
        passed,
        "fits on the bundled real data sets ("
            + p.validationCases()
            + "; steps "
            + p.validationSteps()
            + ", each twice) in one monitored -Xmx256m JVM: every fit completes, the same score"
            + " every repeat, no leak report, 0 B reserved at the end",
        summary.toString().strip(),
        runs);
  }

  // ---- forking --------------------------------------------------------------------------------

  // ---- report ---------------------------------------------------------------------------------

  private static String markdown(Profile p, List<Check> checks, double seconds, boolean passed) {
    StringBuilder md = new StringBuilder();
    md.append("# memguard verify: ")
        .append(p.name())
        .append(" profile, ")
        .append(LocalDate.now())
        .append("\n\n")
        .append(passed ? "**PASSED**" : "**FAILED**")
        .append(": ")
        .append(checks.stream().filter(Check::passed).count())
        .append(" of ")
        .append(checks.size())
        .append(" checks in ")
        .append(String.format(Locale.ROOT, "%.0f s", seconds))
        .append(" (")
        .append(Runtime.version())
        .append(", ")
        .append(Runtime.getRuntime().availableProcessors())
        .append(" processors, each check in a forked JVM, default GC and JIT unless stated).\n");
    String section = null;
    for (Check c : checks) {
      if (!c.section.equals(section)) {
        section = c.section;
        md.append("\n## ")
            .append(
                switch (section) {
                  case "leaks" -> "Leaks (7.1)";
                  case "stress" -> "Stress (7.2)";
                  case "concurrency" -> "Concurrency (7.3)";
                  default -> "Validation (9.2)";
                })
            .append("\n\n| check | result | what it asked | what happened |\n")
            .append("| --- | --- | --- | --- |\n");
      }
      md.append("| ")
          .append(c.name)
          .append(" | ")
          .append(c.passed ? "pass" : "**FAIL**")
          .append(" | ")
          .append(c.criterion.replace("|", "/"))
          .append(" | ")
          .append(c.summary.replace("|", "/"))
          .append(" |\n");
    }
    return md.toString();
  }

  private static long num(Json.JsonObject j, String key) {
    Object v = j.get(key);
    return v instanceof Number n ? n.longValue() : Long.MIN_VALUE / 4;
  }

  private static String mib(Object bytes) {
    return bytes instanceof Number n
        ? String.format(Locale.ROOT, "%.1f MiB", n.doubleValue() / (1 << 20))
        : String.valueOf(bytes);
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files
          .sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .forEach(
              f -> {
                try {
                  Files.deleteIfExists(f);
                } catch (IOException ignored) {
                  // a temporary file
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // a temporary directory
    }
  }
}
