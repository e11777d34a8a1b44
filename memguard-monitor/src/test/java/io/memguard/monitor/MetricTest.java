package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class MetricTest {

  private static final MemorySnapshot SNAPSHOT =
      MemorySnapshot.builder()
          .nanoTime(1)
          .time(Instant.parse("2026-01-01T00:00:00Z"))
          .heap(100, 200, 400)
          .build();

  static Stream<Throwable> failures() {
    return Stream.of(
        new IllegalStateException("an extractor's bug"),
        new AssertionError("an extractor's assertion"),
        new IOException("a checked exception from a Kotlin extractor"));
  }

  @ParameterizedTest
  @MethodSource("failures")
  void extractorThatThrows_readsAsUnknown(Throwable failure) {
    Metric m = Metric.of("broken", "bytes", s -> thrown(failure), s -> thrown(failure));
    assertThat(m.valueOf(SNAPSHOT)).isNaN();
    assertThat(m.capacityOf(SNAPSHOT)).isNaN();
  }

  @Test
  void extractor_readsTheSnapshot() {
    Metric m = Metric.of("used", "bytes", s -> 42, s -> 84);
    assertThat(m.valueOf(SNAPSHOT)).isEqualTo(42.0);
    assertThat(m.capacityOf(SNAPSHOT)).isEqualTo(84.0);
  }

  private static double thrown(Throwable t) {
    MetricTest.<RuntimeException>sneakyThrow(t);
    return 0;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> void sneakyThrow(Throwable t) throws E {
    throw (E) t;
  }
}
