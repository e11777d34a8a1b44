package io.memguard.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one {@code autofeat} scenario fit in a JVM of its own, with its own {@code -Xmx} and the
 * JVM's default flags otherwise, and classifies how it ended: the fit's JSON result (outcome {@code
 * ok} or {@code insufficient-memory}), or {@code error} when the JVM failed, with the kind of
 * failure ({@code OutOfMemoryError} when the heap ran out, {@code timeout} when it had to be
 * killed). The child runs with {@code -XX:+ExitOnOutOfMemoryError}, so an {@link OutOfMemoryError}
 * anywhere ends it at once with exit code 3 instead of limping on.
 */
final class ForkedFit {

  /** How a forked fit ended. */
  record Result(
      String outcome,
      Json.JsonObject json,
      String errorKind,
      String error,
      double wallSeconds,
      String stderrTail) {

    boolean outOfMemory() {
      return "OutOfMemoryError".equals(errorKind);
    }

    boolean timedOut() {
      return "timeout".equals(errorKind);
    }
  }

  private ForkedFit() {}

  /**
   * Forks {@code java -Xmx<heapMb>m -XX:+ExitOnOutOfMemoryError -cp <this class path> BenchMain
   * autofeat <args>} and waits at most {@code timeoutSeconds}.
   */
  static Result run(int heapMb, List<String> autofeatArgs, long timeoutSeconds, Path workDir)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heapMb + "m");
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.add("-cp");
    command.add(ForkedWorkload.ownClassPath());
    command.add(BenchMain.class.getName());
    command.add("autofeat");
    command.addAll(autofeatArgs);
    Path out = Files.createTempFile(workDir, "fit", ".out");
    Path err = Files.createTempFile(workDir, "fit", ".err");
    long start = System.nanoTime();
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
    if (!finished) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    double wall = (System.nanoTime() - start) / 1e9;
    String stderr = Files.readString(err, StandardCharsets.UTF_8);
    String stdout = Files.readString(out, StandardCharsets.UTF_8);
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    String tail = tail(stderr, 12);
    if (!finished) {
      return new Result(
          "error", null, "timeout", "no result within " + timeoutSeconds + " s", wall, tail);
    }
    String last = lastLine(stdout);
    if (p.exitValue() == 0 && last != null) {
      Json.JsonObject json = Json.parse(last);
      Object outcome = json.get("outcome");
      return new Result(outcome == null ? "ok" : outcome.toString(), json, null, null, wall, tail);
    }
    // -XX:+ExitOnOutOfMemoryError ends the JVM with exit code 3 after printing to stdout
    boolean oom =
        p.exitValue() == 3
            || stderr.contains("OutOfMemoryError")
            || stdout.contains("OutOfMemoryError");
    String kind = oom ? "OutOfMemoryError" : "exit " + p.exitValue();
    return new Result("error", null, kind, firstErrorLine(stderr), wall, tail);
  }

  private static String lastLine(String text) {
    String last = null;
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        last = line;
      }
    }
    return last;
  }

  /**
   * The first line naming an exception or error; else the last line before the scenario's usage (a
   * refused input prints what is wrong, then the usage); else the last line.
   */
  static String firstErrorLine(String stderr) {
    String said = null;
    for (String line : stderr.split("\n")) {
      if (line.contains("Exception") || line.contains("Error")) {
        return line.strip();
      }
      if (!line.isBlank() && !line.startsWith("usage: ")) {
        said = line.strip();
      }
    }
    return said != null ? said : lastLine(stderr);
  }

  private static String tail(String text, int lines) {
    String[] all = text.split("\n");
    StringBuilder sb = new StringBuilder();
    for (int i = Math.max(0, all.length - lines); i < all.length; i++) {
      sb.append(all[i]).append('\n');
    }
    return sb.toString();
  }
}
