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
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-Xmx" + Math.max(16, heapBytes >> 20) + "m");
    command.addAll(jvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.add(workload);
    options.forEach(
        (k, v) -> {
          command.add("--" + k);
          command.add(v);
        });
    ctx.progress(
        "%s: forking %s",
        workload,
        String.join(" ", command.subList(0, Math.min(command.size(), 3)))
            + " ... "
            + mainClass
            + " "
            + String.join(" ", command.subList(command.indexOf(mainClass) + 1, command.size())));
    Process child = new ProcessBuilder(command).start();
    Thread relay =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(child.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  ctx.progress("  | %s", line);
                }
              } catch (IOException ignored) {
                // the child is gone
              }
            },
            "forked-" + workload + "-stderr");
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
      throw new IllegalStateException(
          workload + ": the forked JVM did not finish within " + timeoutSeconds + " s");
    }
    relay.join(5000);
    int exit = child.exitValue();
    if (exit != 0 || last == null) {
      throw new IllegalStateException(
          workload
              + ": the forked JVM exited with "
              + exit
              + (last == null ? " and printed no result" : "; last line: " + last));
    }
    return Json.parse(last);
  }

  private static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
