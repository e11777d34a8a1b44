package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The large-data proof: synthetic data with 20,000 rows (16,000 for training), 3
 * feature-engineering steps, fitted by the {@code autofeat} scenario of the packaged jar in a
 * forked JVM with {@code -Xmx256m}. The normal plan would need about 1.4 GiB, so the fit must plan
 * its lightweight plan from the heap it has, finish, and still find the formula's terms.
 */
class AutoFeatLargeDataIT {

  @Test
  void synthetic20000Rows3Steps_fitsInA256MiBHeap(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("synthetic_n20000_seed0.csv");
    Path idx = dir.resolve("synthetic_n20000_seed0_test_idx.txt");
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    PrintStream quiet = new PrintStream(sink, true, StandardCharsets.UTF_8);
    assertThat(
            BenchMain.run(
                new String[] {
                  "gen-synthetic",
                  "--rows",
                  "20000",
                  "--seed",
                  "0",
                  "--out",
                  csv.toString(),
                  "--test-out",
                  idx.toString()
                },
                quiet,
                quiet))
        .isZero();

    Path jar = Path.of("target", "memguard-bench.jar");
    assertThat(jar).as("the shaded jar is built in the package phase").exists();
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Path stdout = dir.resolve("stdout.txt");
    Path stderr = dir.resolve("stderr.txt");
    Process process =
        new ProcessBuilder(
                java.toString(),
                "-Xmx256m",
                "-XX:+UseSerialGC",
                "-jar",
                jar.toString(),
                "autofeat",
                "--csv",
                csv.toString(),
                "--target",
                "target",
                "--test-rows",
                idx.toString(),
                "--steps",
                "3")
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile())
            .start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("the fit took over 3 minutes; stderr:\n" + Files.readString(stderr));
    }
    String log = Files.readString(stderr);
    System.out.println(log);
    assertThat(process.exitValue()).as(log).isZero();
    List<String> lines = Files.readAllLines(stdout);
    String json = lines.get(lines.size() - 1);
    System.out.println(json);

    assertThat(json)
        .contains(
            "\"rows\":16000",
            "\"testRows\":4000",
            "\"lightweight\":true",
            "(x2 + log(x1))^3",
            "1/(x2 - 1/x3)");
    assertThat(number(json, "heapMaxBytes")).isLessThanOrEqualTo(256L << 20);
    assertThat(number(json, "peakReservedBytes")).isLessThanOrEqualTo(number(json, "budgetBytes"));
    assertThat(number(json, "peakHeapUsedBytes")).isLessThanOrEqualTo(number(json, "heapMaxBytes"));
    assertThat(Double.parseDouble(field(json, "testR2"))).isGreaterThan(0.9995);
  }

  private static long number(String json, String key) {
    return Long.parseLong(field(json, key));
  }

  private static String field(String json, String key) {
    Matcher m = Pattern.compile("\"" + key + "\":([^,}]+)").matcher(json);
    assertThat(m.find()).as("field %s in %s", key, json).isTrue();
    return m.group(1);
  }
}
