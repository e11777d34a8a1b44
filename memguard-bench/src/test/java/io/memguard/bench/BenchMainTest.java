package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BenchMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) throws Exception {
    return BenchMain.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void demo_printsItsFiguresAsTheLastStdoutLine() throws Exception {
    assertThat(run("demo", "--tasks", "3", "--budget", "8m", "--rows", "2000", "--features", "50")).isZero();
    String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
    String json = lines[lines.length - 1];
    assertThat(json).startsWith("{\"scenario\":\"demo\"").endsWith("}");
    assertThat(json).contains("\"tasks\":3", "\"featuresComputed\":150", "\"reservedAtEndBytes\":0",
        "\"leaksReported\":1");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("task-0 admitted", "leak caught");
  }

  @Test
  void unknownOption_isRejectedWithUsage() throws Exception {
    assertThat(run("demo", "--taks", "3")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option(s): --taks", "usage: demo");
    assertThat(out.size()).isZero();
  }

  @Test
  void unknownScenario_listsTheKnownOnes() throws Exception {
    assertThat(run("nope")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown scenario 'nope'", "demo [--tasks");
  }

  @Test
  void monitorScenarios_areRegistered_andRejectBadOptionsBeforeForking() throws Exception {
    assertThat(BenchMain.scenarios()).containsKeys("leak", "steady", "alerts");
    assertThat(run("leak", "--leak-rate", "0")).isEqualTo(2);
    assertThat(run("steady", "--leak-rate", "1m")).isEqualTo(2);
    assertThat(run("steady", "--live", "2")).isEqualTo(2);
    assertThat(run("leak", "--perid", "100")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("--leak-rate > 0", "steady does not leak", "--live must be in (0, 0.8)", "unknown option(s): --perid");
    assertThat(out.size()).isZero();
  }

  @Test
  void json_escapesAndWritesNonFiniteAsNull() {
    assertThat(Json.object().put("s", "a\"b\n").put("d", Double.NaN).put("l", java.util.List.of(1, "x")))
        .hasToString("{\"s\":\"a\\\"b\\n\",\"d\":null,\"l\":[1,\"x\"]}");
  }
}
