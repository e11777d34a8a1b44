package io.memguard.monitor.internal;

import io.memguard.monitor.LeakSuspect;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a leak report names its suspects: classes from histograms, scopes and weak registries from
 * checkpoints, and the recommendation. Pure functions of their inputs; thread-safe.
 */
public final class LeakSuspects {
  private LeakSuspects() {}

  /**
   * Classes whose instances and bytes grew in every histogram of the episode: application classes
   * into {@code app}, JDK classes that carry at least 1% of the live set's growth into {@code
   * platform}, each sorted by bytes per minute, largest first.
   */
  public static void classes(
      List<ClassHistogram> episodeHistograms,
      String ownPackage,
      double liveGrowthPerMinute,
      List<LeakSuspect> app,
      List<LeakSuspect> platform) {
    ClassHistogram first = episodeHistograms.get(0);
    ClassHistogram last = episodeHistograms.get(episodeHistograms.size() - 1);
    double minutes = (last.nanoTime() - first.nanoTime()) / 60e9;
    if (minutes <= 0) {
      return;
    }
    for (ClassHistogram.Entry e : last.entries().values()) {
      if (e.className().startsWith(ownPackage)) {
        continue; // the monitor's own history is bounded by its configuration
      }
      boolean grew = true;
      ClassHistogram.Entry prev = null;
      for (ClassHistogram h : episodeHistograms) {
        ClassHistogram.Entry cur = h.entries().get(e.className());
        if (prev != null) {
          long pi = prev.instances();
          long pb = prev.bytes();
          long ci = cur == null ? 0 : cur.instances();
          long cb = cur == null ? 0 : cur.bytes();
          if (ci < pi || cb < pb) {
            grew = false;
            break;
          }
        }
        prev = cur == null ? new ClassHistogram.Entry(e.className(), e.module(), 0, 0) : cur;
      }
      ClassHistogram.Entry base = first.entries().get(e.className());
      long di = e.instances() - (base == null ? 0 : base.instances());
      long db = e.bytes() - (base == null ? 0 : base.bytes());
      if (!grew || di <= 0 || db <= 0) {
        continue;
      }
      double bytesPerMinute = db / minutes;
      LeakSuspect s =
          new LeakSuspect(
              LeakSuspect.Kind.CLASS,
              e.className(),
              bytesPerMinute,
              di / minutes,
              e.bytes(),
              e.instances(),
              e.isPlatform());
      if (e.isPlatform()) {
        // JDK classes change all the time; only those that carry a real share of the growth count.
        if (liveGrowthPerMinute > 0 && bytesPerMinute >= 0.01 * liveGrowthPerMinute) {
          platform.add(s);
        }
      } else if (di >= 2 && db >= 1024) {
        app.add(s);
      }
    }
    Comparator<LeakSuspect> byBytes =
        Comparator.comparingDouble(LeakSuspect::bytesPerMinute).reversed();
    app.sort(byBytes);
    platform.sort(byBytes);
  }

  /** Scopes that grow, deepest first where a child explains its parent, largest growth first. */
  public static List<LeakSuspect> scopes(Map<String, double[]> growth) {
    List<LeakSuspect> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : growth.entrySet()) {
      String path = e.getKey();
      double perMinute = e.getValue()[0];
      // A parent grows because a child does: name the child only.
      boolean explainedByChild = false;
      for (Map.Entry<String, double[]> other : growth.entrySet()) {
        if (other.getKey().startsWith(path + "/") && other.getValue()[0] >= 0.9 * perMinute) {
          explainedByChild = true;
          break;
        }
      }
      if (!explainedByChild) {
        out.add(
            new LeakSuspect(
                LeakSuspect.Kind.SCOPE,
                path,
                perMinute,
                Double.NaN,
                (long) e.getValue()[1],
                -1,
                false));
      }
    }
    out.sort(Comparator.comparingDouble(LeakSuspect::bytesPerMinute).reversed());
    return out;
  }

  /** Weak registries whose live count grows, fastest first. */
  public static List<LeakSuspect> registries(Map<String, double[]> growth) {
    List<LeakSuspect> out = new ArrayList<>();
    for (Map.Entry<String, double[]> e : growth.entrySet()) {
      out.add(
          new LeakSuspect(
              LeakSuspect.Kind.REGISTRY,
              e.getKey(),
              Double.NaN,
              e.getValue()[0],
              -1,
              (long) e.getValue()[1],
              false));
    }
    out.sort(Comparator.comparingDouble(LeakSuspect::countPerMinute).reversed());
    return out;
  }

  /**
   * Keys whose values grow significantly over a series of readings (one map per reading, taken at
   * {@code nanoTimes}): key -> {growth per minute, latest value}.
   */
  public static Map<String, double[]> growing(long[] nanoTimes, List<Map<String, Long>> values) {
    Map<String, double[]> out = new HashMap<>();
    if (values.size() < 3) {
      return out;
    }
    Map<String, Long> latest = values.get(values.size() - 1);
    double[] x = new double[values.size()];
    double[] y = new double[values.size()];
    for (String key : latest.keySet()) {
      int n = 0;
      for (int i = 0; i < values.size(); i++) {
        Long v = values.get(i).get(key);
        if (v != null) {
          x[n] = nanoTimes[i] / 1e9;
          y[n] = v;
          n++;
        }
      }
      if (n < 3 || y[n - 1] <= y[0]) {
        continue;
      }
      double lastValue = y[n - 1];
      TrendMath.Result r = TrendMath.analyze(x, y, n);
      if (r.slope() > 0 && r.pIncreasing() < 0.05) {
        out.put(key, new double[] {r.slope() * 60, lastValue});
      }
    }
    return out;
  }
}
