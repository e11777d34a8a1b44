package io.memguard.jcstress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the jcstress suite in its short profile (one JVM configuration, no split compilation, one
 * iteration of 0.5 s per test: about half a million samples per race, under a minute in all) and
 * fails on any forbidden or erroneous outcome. The long profile is documented in
 * docs/verification.md.
 */
class JcstressShortIT {

  static final List<String> SHORT_PROFILE =
      List.of(
          "-m",
          "quick",
          "-f",
          "1",
          "-iters",
          "1",
          "-time",
          "500",
          "-sc",
          "false",
          "-jvmArgs",
          "-Xmx256m -Dslf4j.internal.verbosity=ERROR");

  @Test
  void everyRace_endsInAnAcceptableState() throws Exception {
    // every test here races two actors, which jcstress cannot schedule on one processor ("No
    // matching tests")
    org.junit.jupiter.api.Assumptions.assumeTrue(
        Runtime.getRuntime().availableProcessors() >= 2,
        "jcstress's two-actor tests need two processors; this JVM has one");
    Path jar = Path.of(System.getProperty("jcstress.jar", "target/jcstress.jar"));
    assertThat(jar).exists();
    Path results = Path.of("target", "jcstress-short");
    Path log = Path.of("target", "jcstress-short.log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(SHORT_PROFILE);
    command.add("-r");
    command.add(results.toAbsolutePath().toString());
    // jcstress writes its binary results into the working directory: keep them in target/
    Process p =
        new ProcessBuilder(command)
            .directory(Path.of("target").toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toAbsolutePath().toFile())
            .start();
    boolean finished = p.waitFor(10, TimeUnit.MINUTES);
    if (!finished) {
      p.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(finished).as("jcstress finished within 10 minutes; log in %s", log).isTrue();
    assertThat(output)
        .as("jcstress output (full log in %s)", log.toAbsolutePath())
        .contains("Failed tests: No matches.")
        .contains("Error tests: No matches.")
        .doesNotContain("TEST FAILURES");
    assertThat(p.exitValue()).isZero();
    assertThat(new File(results.toFile(), "index.html")).exists();
  }
}
