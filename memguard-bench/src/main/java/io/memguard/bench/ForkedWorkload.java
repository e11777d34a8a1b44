package io.memguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link io.memguard.bench.workload.MonitorWorkloadMain} in a forked JVM with its own heap, so
 * the monitor measures real memory of a process that does nothing else: the same java binary and
 * class path as this JVM, the child's stderr relayed line by line as progress, its last stdout line
 * parsed as the result.
 */
final class ForkedWorkload {
  private ForkedWorkload() {}

  static final String MAIN = "io.memguard.bench.workload.MonitorWorkloadMain";

  /**
   * Runs {@code workload} with {@code -Xmx<heapBytes>}, extra JVM flags and options; returns the
   * child's JSON result.
   *
   * @throws IllegalStateException when the child fails, times out or prints no JSON
   */
  static Json.JsonObject run(
      ScenarioContext ctx,
      String workload,
      long heapBytes,
      List<String> jvmFlags,
      Map<String, String> options,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    return run(ctx, MAIN, workload, heapBytes, jvmFlags, options, timeoutSeconds);
  }

  /** As {@link #run(ScenarioContext, String, long, List, Map, long)} with another main class. */
  static Json.JsonObject run(
      ScenarioContext ctx,
      String mainClass,
      String workload,
      long heapBytes,
      List<String> jvmFlags,
      Map<String, String> options,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>();
    args.add(workload);
    options.forEach(
        (k, v) -> {
          args.add("--" + k);
          args.add(v);
        });
    Forked f =
        fork(
            ctx,
            workload,
            (int) Math.max(16, heapBytes >> 20),
            jvmFlags,
            mainClass,
            args,
            null,
            timeoutSeconds);
    if (f.exitCode() != 0 || f.json() == null) {
      throw new IllegalStateException(
          workload + ": the forked JVM failed (exit " + f.exitCode() + "): " + f.failure());
    }
    return f.json();
  }

  /** How a forked JVM ended: its exit code, its JSON (null if none) and why it failed. */
  record Forked(int exitCode, Json.JsonObject json, String failure) {}

  /**
   * Forks {@code java -Xmx<heapMb>m <jvmFlags> -cp <this class path> <mainClass> <args>}, inside
   * {@code group} when not null, relays its stderr as progress under {@code label} and waits at
   * most {@code timeoutSeconds} (then kills it and returns exit -1). Never throws for the child's
   * failure: the exit code (137 when the kernel killed it) and the missing JSON say what happened.
   */
  static Forked fork(
      ScenarioContext ctx,
      String label,
      int heapMb,
      List<String> jvmFlags,
      String mainClass,
      List<String> args,
      Cgroups.Group group,
      long timeoutSeconds)
      throws IOException, InterruptedException {
    return fork(
        ctx, label, heapMb, jvmFlags, mainClass, args, group, timeoutSeconds, ownClassPath());
  }

  /**
   * This JVM's class path without the Spark jars the build lists in {@code spark-classpath.txt}
   * (the bench module's provided dependencies, on the class path of its tests): only the {@code
   * spark} scenario's fork runs with Spark.
   */
  static String ownClassPath() {
    String all = System.getProperty("java.class.path");
    java.util.Set<String> spark;
    try {
      Path file = SparkScenario.classPathFile();
      if (!java.nio.file.Files.isRegularFile(file)) {
        return all;
      }
      spark =
          new java.util.HashSet<>(
              List.of(
                  java.nio.file.Files.readString(file, StandardCharsets.UTF_8)
                      .trim()
                      .split(java.io.File.pathSeparator)));
    } catch (IOException | java.net.URISyntaxException e) {
      return all;
    }
    List<String> kept = new ArrayList<>();
    for (String entry : all.split(java.io.File.pathSeparator)) {
      if (!spark.contains(entry)) {
        kept.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, kept);
  }

  /**
   * As {@link #fork(ScenarioContext, String, int, List, String, List, Cgroups.Group, long)} on
   * {@code classPath}; {@code heapMb <= 0} leaves the heap to the JVM's default.
   */
  static Forked fork(
      ScenarioContext ctx,
      String label,
      int heapMb,
      List<String> jvmFlags,
      String mainClass,
      List<String> args,
      Cgroups.Group group,
      long timeoutSeconds,
      String classPath)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    if (group != null) {
      command.addAll(group.wrapper());
    }
    command.add(javaBinary());
    if (heapMb > 0) {
      command.add("-Xmx" + heapMb + "m");
    }
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(classPath);
    command.add(mainClass);
    command.addAll(args);
    ctx.progress(
        "%s: forking %s %s %s",
        label,
        heapMb > 0 ? "-Xmx" + heapMb + "m" : "(default heap)",
        mainClass,
        String.join(" ", args));
    Process child = new ProcessBuilder(command).start();
    Thread relay =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  ctx.progress("  %s | %s", label, line);
                }
              } catch (IOException ignored) {
                // the child is gone
              }
            },
            "verify-" + label);
    relay.setDaemon(true);
    relay.start();
    String last = null;
    try (BufferedReader r =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (!line.isBlank()) {
          last = line;
        }
      }
    }
    if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      child.destroyForcibly();
      child.waitFor(30, TimeUnit.SECONDS);
      return new Forked(-1, null, "no result within " + timeoutSeconds + " s");
    }
    relay.join(5000);
    int exit = child.exitValue();
    Json.JsonObject json = null;
    String failure = null;
    if (last != null && last.startsWith("{")) {
      try {
        json = Json.parse(last);
      } catch (RuntimeException e) {
        failure = "unreadable result: " + last;
      }
    }
    if (json == null && failure == null) {
      failure = "exit " + exit + (exit == 137 ? " (killed)" : "") + ", no result";
    }
    return new Forked(exit, json, failure);
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
