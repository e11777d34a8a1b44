package io.memguard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ForkedFitTest {

  @Test
  void failure_isTheFirstLineNamingAnExceptionOrError() {
    String stderr =
        "budget 204.8 MiB\n"
            + "Exception in thread \"main\" java.lang.IllegalStateException: broken\n"
            + "\tat x.y(Z.java:1)\n";
    assertThat(ForkedFit.firstErrorLine(stderr))
        .isEqualTo("Exception in thread \"main\" java.lang.IllegalStateException: broken");
  }

  @Test
  void refusedInput_isTheLineBeforeTheUsage() {
    String stderr =
        "budget 4.7 GiB (max heap 5.9 GiB)\n"
            + "autofeat: need at least 10 rows, got 0\n"
            + "usage: autofeat (--csv PATH --target NAME ...)\n";
    assertThat(ForkedFit.firstErrorLine(stderr))
        .isEqualTo("autofeat: need at least 10 rows, got 0");
  }

  @Test
  void onlyAUsage_isTheUsage() {
    assertThat(ForkedFit.firstErrorLine("usage: autofeat ...\n")).isEqualTo("usage: autofeat ...");
    assertThat(ForkedFit.firstErrorLine("")).isNull();
  }
}
