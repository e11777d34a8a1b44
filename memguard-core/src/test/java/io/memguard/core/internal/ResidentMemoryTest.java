package io.memguard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResidentMemoryTest {

  @Test
  void parsesTheVmRssLine_inKibibytes() {
    assertThat(ResidentMemory.parseVmRss("Name:\tjava\nVmRSS:\t  123456 kB\nVmData:\t1 kB\n"))
        .isEqualTo(123456L * 1024);
    assertThat(ResidentMemory.parseVmRss("VmRSS:\t7 kB")).isEqualTo(7L * 1024);
  }

  @Test
  void withoutAVmRssLine_orWithAnotherUnit_isUnknown() {
    assertThat(ResidentMemory.parseVmRss("Name:\tjava\n")).isEqualTo(-1);
    assertThat(ResidentMemory.parseVmRss("VmRSS:\t12 MB\n")).isEqualTo(-1);
    assertThat(ResidentMemory.parseVmRss("VmRSS:\tlots kB\n")).isEqualTo(-1);
  }

  @Test
  void onLinux_theProcessHasAResidentSet() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status")));
    assertThat(ResidentMemory.rssBytes()).isGreaterThan(1L << 20);
  }
}
