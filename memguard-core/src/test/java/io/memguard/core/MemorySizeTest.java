package io.memguard.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemorySizeTest {

  @ParameterizedTest
  @CsvSource({
    "1048576, 1048576",
    "0, 0",
    "64k, 65536",
    "64K, 65536",
    "64KiB, 65536",
    "512m, 536870912",
    "512 MiB, 536870912",
    "512MB, 536870912",
    "2g, 2147483648",
    "1.5g, 1610612736",
    "1t, 1099511627776"
  })
  void parse_acceptsBytesAndBinaryUnits(String text, long bytes) {
    assertThat(MemorySize.parse(text).toBytes()).isEqualTo(bytes);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "-5", "5x", "12 parsecs", "%", "101%", "0%"})
  void parse_rejectsWhatIsNotASize(String text) {
    assertThatThrownBy(() -> MemorySize.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parse_rejectsOverflow() {
    assertThatThrownBy(() -> MemorySize.parse("99999999999t"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too large");
  }

  @Test
  void percentOfMaxHeap_resolvesAgainstGivenHeap() {
    MemorySize size = MemorySize.parse("80%");
    assertThat(size.isRelativeToHeap()).isTrue();
    assertThat(size.resolve(1000)).isEqualTo(800);
    assertThat(size.toBytes()).isEqualTo((long) (MemorySize.maxHeapBytes() * 0.8));
    assertThat(size).hasToString("80% of max heap");
  }

  @Test
  void factories_rejectNegativeAndOverflow() {
    assertThatThrownBy(() -> MemorySize.ofBytes(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> MemorySize.ofGibibytes(Long.MAX_VALUE / 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overflows");
    assertThat(MemorySize.ofMebibytes(3).toBytes()).isEqualTo(3L << 20);
    assertThat(MemorySize.ofKibibytes(3)).isEqualTo(MemorySize.ofBytes(3072));
  }

  @Test
  void format_usesLargestBinaryUnit() {
    assertThat(MemorySize.format(512)).isEqualTo("512 B");
    assertThat(MemorySize.format(1536)).isEqualTo("1.5 KiB");
    assertThat(MemorySize.format(3L << 30)).isEqualTo("3.0 GiB");
    assertThat(MemorySize.ofMebibytes(64)).hasToString("64.0 MiB");
  }
}
