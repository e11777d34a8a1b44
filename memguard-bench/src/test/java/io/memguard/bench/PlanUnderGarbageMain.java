package io.memguard.bench;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.autofeat.AutoFeatProcessor;
import io.memguard.autofeat.Dataset;
import io.memguard.autofeat.ProblemType;
import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.internal.YoungCollection;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Run by {@link PlanUnderGarbageIT} in a JVM of its own: fits a data set, then leaves garbage in
 * the old generation (arrays kept across young collections until they are promoted, then dropped,
 * so the next young collection's report still counts them) until the heap after a collection is
 * about the given MiB, and fits the same data again in the same manager. Prints one JSON line: both
 * fits' plans, features, coefficients and scores, and the heap after the last collection (and the
 * lowest after any) before each fit.
 */
public final class PlanUnderGarbageMain {

  private PlanUnderGarbageMain() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    int steps = Integer.parseInt(args[1]);
    long heapAfterCollection = Long.parseLong(args[2]) << 20;
    Dataset.Split data = VerifyWorkloadMain.bundled(name);
    Json.JsonObject out = Json.object();
    try (MemoryManager memory = MemoryManager.builder().name("garbage").build()) {
      out.put("first", fit(memory, data, steps, "first"));
      leaveOldGenerationGarbage(heapAfterCollection);
      out.put("second", fit(memory, data, steps, "second"));
    }
    System.out.println(out);
  }

  private static Json.JsonObject fit(
      MemoryManager memory, Dataset.Split data, int steps, String name) {
    long afterCollection = MemoryManager.heapUsedAfterLastCollectionBytes();
    long lowest = MemoryManager.lowestHeapAfterCollectionBytes();
    try (MemoryScope scope = memory.openScope(name);
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(steps)
                .problemType(ProblemType.REGRESSION)
                .seed(0)
                .build()
                .fit(scope, data.train())) {
      return Json.object()
          .put("heapAfterLastCollectionBytes", afterCollection)
          .put("lowestHeapAfterCollectionBytes", lowest)
          .put("plan", model.report().plan().describe())
          .put("decisions", String.join(" | ", model.report().decisions()))
          .put("features", String.join(" | ", model.features()))
          .put("coefficients", Arrays.deepToString(model.coefficients()))
          .put("score", model.score(data.test()));
    }
  }

  /**
   * Brings the heap after a collection up to about {@code bytes} with garbage: first lets the JVM
   * collect what it will of the first fit, then keeps the rest in 32 KiB arrays (below any
   * collector's large-object size) through young collections, so that they are copied to the old
   * generation, then drops them and lets one more young collection report the heap with them still
   * in it. The amount is a target, not an addition, because how much of the first fit's garbage is
   * promoted varies from run to run.
   */
  private static void leaveOldGenerationGarbage(long bytes) {
    long max = Runtime.getRuntime().maxMemory();
    YoungCollection.provoke(max);
    YoungCollection.provoke(max);
    long missing = bytes - Math.max(0, MemoryManager.heapUsedAfterLastCollectionBytes());
    List<long[]> kept = new ArrayList<>();
    for (long held = 0; held < missing; held += 32 << 10) {
      kept.add(new long[4096]);
    }
    for (int i = 0; i < 4; i++) {
      YoungCollection.provoke(max);
    }
    Reference.reachabilityFence(kept);
    YoungCollection.provoke(max);
  }
}
