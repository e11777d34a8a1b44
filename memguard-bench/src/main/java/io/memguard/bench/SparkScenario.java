package io.memguard.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code spark}: memguard-spark in Spark local mode against the in-process paths, in a forked JVM
 * (Spark is not in the bench jar: the fork's class path is the build's {@code
 * target/spark-classpath.txt}, Spark's jars in the local Maven repository, plus this jar).
 *
 * <ul>
 *   <li>Transform: a model fitted with {@code --steps} on 20,000 rows of autofeat's example
 *       formula, applied to {@code --rows} rows generated in Spark ({@code rand}/{@code randn}),
 *       each feature summed so every value is computed: the Catalyst path, the partition path, and
 *       in process ({@code AutoFeatModel.transformInto} on blocks of the same distribution, one
 *       thread); rows per second per core, and a baseline (the same job without the transform).
 *   <li>Fit: {@link io.memguard.spark.AutoFeatEstimator} on {@code --fit-rows} rows against the
 *       in-process streamed fit of a CSV of as many rows; time, peak heap used (polled), test R2 on
 *       100,000 held-out rows.
 * </ul>
 *
 * <p>The forked JVM gets the JVM's default heap unless {@code --heap-mb} is given, and Spark's
 * {@code --add-opens} flags.
 */
final class SparkScenario implements Scenario {
  static final String MAIN = "io.memguard.bench.SparkWorkloadMain";

  @Override
  public String name() {
    return "spark";
  }

  @Override
  public String usage() {
    return "spark [--rows 10000000] [--fit-rows 10000000] [--steps 3] [--cores 2] [--heap-mb 0"
        + " (the JVM's default)] [--seed 42]: memguard-spark in local mode (Catalyst and"
        + " partition transforms, the estimator) against the in-process paths";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) throws Exception {
    long rows = ctx.longValue("rows", 10_000_000);
    long fitRows = ctx.longValue("fit-rows", rows);
    int steps = ctx.intValue("steps", 3);
    int cores = ctx.intValue("cores", 2);
    int heapMb = ctx.intValue("heap-mb", 0);
    long seed = ctx.longValue("seed", 42);
    ctx.rejectUnused();
    if (rows < 1000 || fitRows < 1000) {
      throw new IllegalArgumentException("--rows and --fit-rows must be at least 1000");
    }
    String classPath = sparkClassPath();
    List<String> flags = new ArrayList<>(SPARK_OPENS);
    flags.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    flags.add("-Dorg.slf4j.simpleLogger.log.io.memguard=info");
    List<String> args =
        List.of(
            "--rows", Long.toString(rows),
            "--fit-rows", Long.toString(fitRows),
            "--steps", Integer.toString(steps),
            "--cores", Integer.toString(cores),
            "--seed", Long.toString(seed));
    ForkedWorkload.Forked f =
        ForkedWorkload.fork(ctx, "spark", heapMb, flags, MAIN, args, null, 3600, classPath);
    if (f.exitCode() != 0 || f.json() == null) {
      throw new IllegalStateException(
          "spark: the forked JVM failed (exit " + f.exitCode() + "): " + f.failure());
    }
    return f.json().put("heapMb", heapMb);
  }

  /** Spark on Java 17 needs these (spark-submit adds them). */
  static final List<String> SPARK_OPENS =
      List.of(
          "--add-opens=java.base/java.lang=ALL-UNNAMED",
          "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.util=ALL-UNNAMED",
          "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
          "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
          "--add-opens=java.base/java.io=ALL-UNNAMED",
          "--add-opens=java.base/java.net=ALL-UNNAMED");

  /**
   * This JVM's class path followed by the jars in {@code spark-classpath.txt}, found beside the
   * bench jar (or in {@code target/} beside the classes when run from the build).
   */
  static String sparkClassPath() throws IOException, URISyntaxException {
    Path file = classPathFile();
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "spark: "
              + file
              + " is missing; build the bench module with Maven (./mvnw -B -q -DskipTests"
              + " package), which writes it and downloads Spark");
    }
    String jars = Files.readString(file, StandardCharsets.UTF_8).trim();
    return ForkedWorkload.ownClassPath() + java.io.File.pathSeparator + jars;
  }

  /** {@code spark-classpath.txt} in {@code target/}, beside the bench jar or its classes. */
  static Path classPathFile() throws URISyntaxException {
    Path here =
        Path.of(SparkScenario.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return here.getParent().resolve("spark-classpath.txt");
  }
}
