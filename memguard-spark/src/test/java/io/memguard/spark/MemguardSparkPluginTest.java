package io.memguard.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.Protection;
import io.memguard.core.Registration;
import io.memguard.monitor.MemoryMonitor;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkEnv;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The plugin in local mode (the driver is the executor): it starts a monitor with the executor,
 * registers memguard's gauges in Spark's metrics system, sends the executor's alerts to the
 * driver's listeners, and stops with the executor.
 */
class MemguardSparkPluginTest {

  @Test
  void startsWithTheExecutor_reportsToTheDriver_andStopsWithIt() throws Exception {
    BlockingQueue<ExecutorEvent> events = new LinkedBlockingQueue<>();
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("memguard-spark-plugin-test")
            .config("spark.ui.enabled", "false")
            .config("spark.plugins", MemguardSparkPlugin.class.getName())
            .config("spark.memguard.monitor.periodMs", "50")
            .getOrCreate();
    MemoryMonitor monitor;
    try (Registration listening = MemguardSparkPlugin.addDriverListener(events::add)) {
      assertThat(spark.range(1000).count()).isEqualTo(1000);
      monitor = MemguardSparkPlugin.executorMonitor().orElseThrow();
      assertThat(monitor.manager()).isSameAs(ExecutorMemory.manager());

      scala.collection.immutable.Seq<org.apache.spark.metrics.source.Source> sources =
          SparkEnv.get()
              .metricsSystem()
              .getSourcesByName("plugin." + MemguardSparkPlugin.class.getName());
      assertThat(sources.size()).isGreaterThanOrEqualTo(1);
      var gauges = sources.head().metricRegistry().getGauges();
      assertThat(gauges.keySet())
          .contains("budgetBytes", "reservedBytes", "liveSetBytes", "pressureLevel", "leakState");
      assertThat(gauges.get("budgetBytes").getValue())
          .isEqualTo(ExecutorMemory.manager().budgetBytes());

      io.memguard.core.Rollout.Setting before =
          ExecutorMemory.manager().rollout().setting(Protection.EMERGENCY_GUARD);
      try {
        ExecutorMemory.manager()
            .rollout()
            .fallBack(Protection.EMERGENCY_GUARD, "a test's rollback, to raise an alert");
        ExecutorEvent alert = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (alert == null && System.nanoTime() < deadline) {
          ExecutorEvent e = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
          if (e != null && e.summary().startsWith("protection-rolled-back fired")) {
            alert = e; // other alerts of this JVM (its heap, its RSS) may come first
          }
        }
        assertThat(alert).as("the rollback's alert within 30 s").isNotNull();
        assertThat(alert.kind()).isEqualTo("alert");
        assertThat(alert.executorId()).isEqualTo("driver");
        assertThat(alert.json()).contains("\"rule\":\"protection-rolled-back\"");
        assertThat(MemguardSparkPlugin.driverEvents()).contains(alert);
      } finally {
        ExecutorMemory.manager().rollout().set(Protection.EMERGENCY_GUARD, before, "test done");
      }
    } finally {
      spark.stop();
    }
    assertThat(MemguardSparkPlugin.executorMonitor()).as("closed with the executor").isEmpty();
    assertThat(monitor).isNotNull();
  }

  @Test
  void thePeriodSetting_takesSparksTimeSyntax_andNeverFailsTheExecutor() {
    org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false);
    assertThat(MemguardSparkPlugin.periodMillis(conf)).isEqualTo(1000);
    assertThat(MemguardSparkPlugin.periodMillis(conf.set("spark.memguard.monitor.periodMs", "250")))
        .isEqualTo(250);
    assertThat(MemguardSparkPlugin.periodMillis(conf.set("spark.memguard.monitor.periodMs", "1s")))
        .isEqualTo(1000);
    assertThat(MemguardSparkPlugin.periodMillis(conf.set("spark.memguard.monitor.periodMs", "1")))
        .as("at least the monitor's shortest period")
        .isEqualTo(10);
    assertThat(
            MemguardSparkPlugin.periodMillis(conf.set("spark.memguard.monitor.periodMs", "often")))
        .isEqualTo(1000);
  }
}
