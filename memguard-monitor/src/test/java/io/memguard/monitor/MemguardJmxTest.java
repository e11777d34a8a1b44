package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import io.memguard.core.Registration;
import io.memguard.core.Reservation;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

class MemguardJmxTest {

  @Test
  void bean_readsTheManagerAndMonitor_throughThePlatformServer_andUnregisters() throws Exception {
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = MemguardJmx.objectName("jmx-test");
    try (MemoryManager manager =
            MemoryManager.builder().name("jmx-test").limit(MemorySize.ofMebibytes(32)).build();
        MemoryMonitor monitor =
            MemoryMonitor.manual(
                manager, MonitorConfig.builder().period(Duration.ofMillis(100)).build());
        MemoryScope scope = manager.openScope("s");
        Reservation r = scope.reserve(1L << 20)) {
      Registration reg = MemguardJmx.register(monitor);
      monitor.sampleNow();
      assertThat(name.toString()).isEqualTo("io.memguard:type=MemoryManager,name=\"jmx-test\"");
      assertThat(server.getAttribute(name, "ManagerName")).isEqualTo("jmx-test");
      assertThat(server.getAttribute(name, "BudgetBytes")).isEqualTo(32L << 20);
      assertThat(server.getAttribute(name, "ReservedBytes")).isEqualTo(1L << 20);
      assertThat(server.getAttribute(name, "PressureLevel")).isEqualTo("NORMAL");
      assertThat((Long) server.getAttribute(name, "HeapMaxBytes")).isPositive();
      assertThat((Long) server.getAttribute(name, "Samples")).isEqualTo(1L);
      assertThat(server.getAttribute(name, "LeakState")).isEqualTo("NONE");
      assertThat(server.getAttribute(name, "GuardLevel")).isEqualTo("NORMAL");
      assertThat(server.getMBeanInfo(name).getOperations())
          .extracting(o -> o.getName())
          .containsExactly("setProtectionMode");
      server.invoke(
          name,
          "setProtectionMode",
          new Object[] {"emergency_guard", "ENFORCE:0.25"},
          new String[] {String.class.getName(), String.class.getName()});
      assertThat(manager.rollout().setting(io.memguard.core.Protection.EMERGENCY_GUARD))
          .hasToString("ENFORCE:0.25");
      assertThat((String) server.getAttribute(name, "Rollout"))
          .contains("EMERGENCY_GUARD=ENFORCE:0.25");
      assertThat(manager.rollout().switches())
          .singleElement()
          .satisfies(s -> assertThat(s.reason()).isEqualTo("by JMX"));
      assertThatThrownBy(() -> MemguardJmx.register(monitor))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("already registered");
      reg.close();
      reg.close();
      assertThat(server.isRegistered(name)).isFalse();
    }
  }
}
