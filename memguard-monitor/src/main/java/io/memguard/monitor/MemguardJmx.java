package io.memguard.monitor;

import io.memguard.core.Protection;
import io.memguard.core.Registration;
import io.memguard.core.Rollout;
import java.lang.management.ManagementFactory;
import java.util.Objects;
import java.util.Optional;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.StandardMBean;

/**
 * Registers a {@link MemguardMXBean} for a monitor in the platform MBean server, under {@code
 * io.memguard:type=MemoryManager,name=<manager name>}. Thread-safe; the returned registration
 * unregisters it (idempotent).
 *
 * @since 0.1.0
 */
public final class MemguardJmx {
  private MemguardJmx() {}

  /** The name the bean of {@code managerName} is registered under. */
  public static ObjectName objectName(String managerName) {
    try {
      return new ObjectName("io.memguard:type=MemoryManager,name=" + ObjectName.quote(managerName));
    } catch (JMException e) {
      throw new IllegalArgumentException("no JMX name for manager '" + managerName + "'", e);
    }
  }

  /**
   * Registers {@code monitor}'s bean in the platform MBean server.
   *
   * @throws IllegalStateException if a bean is already registered for a manager of that name
   */
  public static Registration register(MemoryMonitor monitor) {
    Objects.requireNonNull(monitor, "monitor");
    MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    ObjectName name = objectName(monitor.manager().name());
    try {
      server.registerMBean(new StandardMBean(new View(monitor), MemguardMXBean.class, true), name);
    } catch (InstanceAlreadyExistsException e) {
      throw new IllegalStateException(
          name
              + " is already registered: give each manager its own name"
              + " (MemoryManager.builder().name(...)) or close the other registration first",
          e);
    } catch (JMException e) {
      throw new IllegalStateException("cannot register " + name + ": " + e.getMessage(), e);
    }
    return new Registration() {
      private boolean closed;

      @Override
      public synchronized void close() {
        if (closed) {
          return;
        }
        closed = true;
        try {
          server.unregisterMBean(name);
        } catch (InstanceNotFoundException e) {
          // unregistered by someone else: nothing left to do
        } catch (JMException e) {
          // never thrown by the platform server for a registered standard bean
        }
      }
    };
  }

  private record View(MemoryMonitor monitor) implements MemguardMXBean {
    private Optional<MemorySnapshot> latest() {
      return monitor.latest();
    }

    @Override
    public String getManagerName() {
      return monitor.manager().name();
    }

    @Override
    public long getBudgetBytes() {
      return monitor.manager().budgetBytes();
    }

    @Override
    public long getReservedBytes() {
      return monitor.manager().reservedBytes();
    }

    @Override
    public int getOpenScopes() {
      return monitor.manager().openScopeCount();
    }

    @Override
    public String getPressureLevel() {
      return monitor.manager().pressureLevel().name();
    }

    @Override
    public long getLiveHeapBytes() {
      return latest().map(MemorySnapshot::liveSetBytes).orElse(-1L);
    }

    @Override
    public long getHeapUsedBytes() {
      return latest().map(s -> s.heap().usedBytes()).orElse(-1L);
    }

    @Override
    public long getHeapMaxBytes() {
      return latest().map(s -> s.heap().maxBytes()).orElse(Runtime.getRuntime().maxMemory());
    }

    @Override
    public long getRssBytes() {
      return latest().map(MemorySnapshot::rssBytes).orElse(-1L);
    }

    @Override
    public long getContainerLimitBytes() {
      return latest().map(MemorySnapshot::containerLimitBytes).orElse(-1L);
    }

    @Override
    public long getSamples() {
      return monitor.stats().samples();
    }

    @Override
    public String getLeakState() {
      return monitor.leakDetector().status().state().name();
    }

    @Override
    public int getLeakReports() {
      return monitor.leakDetector().reports().size();
    }

    @Override
    public int getActiveAlerts() {
      return monitor.alerts().active().size();
    }

    @Override
    public String getGuardLevel() {
      return monitor.emergencyGuard().map(g -> g.level().name()).orElse("OFF");
    }

    @Override
    public long getGuardEmergencies() {
      return monitor.emergencyGuard().map(g -> g.stats().emergencies()).orElse(0L);
    }

    @Override
    public long getGuardTasksStopRequested() {
      return monitor.emergencyGuard().map(g -> g.stats().tasksStopRequested()).orElse(0L);
    }

    @Override
    public int getTasksActive() {
      return monitor.manager().allocator().activeGrants().size();
    }

    @Override
    public int getTasksWaiting() {
      return monitor.manager().allocator().waitingCount();
    }

    @Override
    public long getGrantedBytes() {
      return monitor.manager().allocator().grantedBytes();
    }

    @Override
    public String getRollout() {
      return monitor.manager().rollout().toString();
    }

    @Override
    public String getRolloutOutcomes() {
      return monitor.manager().rollout().describeOutcomes();
    }

    @Override
    public void setProtectionMode(String protection, String setting) {
      Protection p;
      try {
        p = Protection.valueOf(protection.trim().toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "unknown protection '"
                + protection
                + "'; known: "
                + java.util.Arrays.toString(Protection.values()),
            e);
      }
      monitor.manager().rollout().set(p, Rollout.parse(setting), "by JMX");
    }
  }
}
