package io.memguard.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.memguard.core.Registration;
import io.memguard.monitor.internal.Dispatcher;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AlertsTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final LeakStatus NO_LEAK =
      new LeakStatus(
          LeakStatus.State.NONE, T0, Duration.ZERO, 0, Double.NaN, 1, -1, Duration.ZERO, null);

  final Alerts alerts = new Alerts(100, Dispatcher::direct);
  final List<AlertEvent> events = new ArrayList<>();
  long second;

  AlertsTest() {
    alerts.addListener(events::add);
  }

  /** A snapshot at the next second whose live set is {@code fraction} of a 100-byte heap. */
  MemorySnapshot at(double fraction) {
    long s = second++;
    return MemorySnapshot.builder()
        .nanoTime(s * 1_000_000_000L)
        .time(T0.plusSeconds(s))
        .heap(50, 50, 100)
        .liveSet(Double.isNaN(fraction) ? -1 : Math.round(fraction * 100), true)
        .build();
  }

  void feed(double... fractions) {
    for (double f : fractions) {
      alerts.evaluate(at(f), NO_LEAK, null);
    }
  }

  static AlertRule.Builder liveHigh() {
    return AlertRule.builder("live-high")
        .metric(Metric.LIVE_SET_UTILIZATION)
        .above(0.80)
        .clearAt(0.70);
  }

  @Test
  void fires_onlyAfterTheBreachLastedForAtLeast() {
    alerts.addRule(liveHigh().forAtLeast(Duration.ofSeconds(3)).build());
    feed(0.9, 0.9, 0.5, 0.9, 0.9, 0.9);
    assertThat(events).isEmpty();
    feed(0.9);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo(AlertEvent.Type.FIRED);
              assertThat(e.alert().severity()).isEqualTo(Severity.WARNING);
              assertThat(e.alert().message())
                  .contains("heap.live.utilization is 90.0%")
                  .contains(">= 80.0%")
                  .contains("3.0s");
              assertThat(e.time()).isEqualTo(T0.plusSeconds(6));
            });
    assertThat(alerts.active()).hasSize(1);
  }

  @Test
  void hysteresis_holdsBetweenTheThresholds_andResolvesPastTheClearOne() {
    alerts.addRule(liveHigh().clearAfter(Duration.ofSeconds(2)).build());
    feed(0.85, 0.75, 0.79, 0.75, 0.65, 0.65);
    assertThat(events).extracting(AlertEvent::type).containsExactly(AlertEvent.Type.FIRED);
    feed(0.65);
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED);
    AlertEvent resolved = events.get(1);
    assertThat(resolved.alert().resolvedAt()).isEqualTo(T0.plusSeconds(6));
    assertThat(resolved.alert().peakValue()).isEqualTo(0.85);
    assertThat(resolved.alert().message()).contains("back to 65.0%").contains("< 70.0%");
    assertThat(alerts.active()).isEmpty();
  }

  @Test
  void clearSpellInterruptedByABreach_startsOver() {
    alerts.addRule(liveHigh().clearAfter(Duration.ofSeconds(2)).build());
    feed(0.9, 0.6, 0.6, 0.9, 0.6, 0.6);
    assertThat(events).extracting(AlertEvent::type).containsExactly(AlertEvent.Type.FIRED);
  }

  @Test
  void deduplicates_oneOpenAlertPerRule_andANewOneAfterResolution() {
    alerts.addRule(liveHigh().build());
    feed(0.9, 0.95, 0.99, 0.9, 0.5, 0.9);
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED, AlertEvent.Type.FIRED);
    assertThat(events.get(0).alert().id()).isNotEqualTo(events.get(2).alert().id());
    assertThat(events.get(1).alert().peakValue()).isEqualTo(0.99);
  }

  @Test
  void escalates_aSeverityPerPeriod_upToTheCap_andAtMostMaxEscalations() {
    alerts.addRule(
        liveHigh()
            .severity(Severity.INFO)
            .escalateAfter(Duration.ofSeconds(10))
            .maxSeverity(Severity.CRITICAL)
            .maxEscalations(3)
            .build());
    for (int i = 0; i < 60; i++) {
      feed(0.9);
    }
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(
            AlertEvent.Type.FIRED,
            AlertEvent.Type.ESCALATED,
            AlertEvent.Type.ESCALATED,
            AlertEvent.Type.ESCALATED);
    assertThat(events)
        .extracting(e -> e.alert().severity())
        .containsExactly(Severity.INFO, Severity.WARNING, Severity.CRITICAL, Severity.CRITICAL);
    assertThat(events).extracting(e -> e.alert().escalationLevel()).containsExactly(0, 1, 2, 3);
    assertThat(events.get(1).time()).isEqualTo(T0.plusSeconds(10));
    assertThat(events.get(3).alert().message())
        .contains("[unresolved for 30.0s]")
        .doesNotContain("] [");
  }

  @Test
  void aValueWaitingOutItsClearing_isNotEscalated() {
    alerts.addRule(
        liveHigh().escalateAfter(Duration.ofSeconds(5)).clearAfter(Duration.ofSeconds(10)).build());
    feed(0.9, 0.9, 0.9, 0.9); // fired at 0 s, below the clearing line from 4 s on
    for (int i = 0; i < 14; i++) {
      feed(0.5);
    }
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED);
  }

  @Test
  void channels_receiveBySeverityAndEscalationLevel_resolutionsReachWhoeverSawTheAlert() {
    List<AlertEvent> pager = new ArrayList<>();
    List<AlertEvent> critical = new ArrayList<>();
    alerts.addChannel(channel("pager", pager), Severity.INFO, 1);
    alerts.addChannel(channel("critical", critical), Severity.CRITICAL, 0);
    alerts.addRule(liveHigh().escalateAfter(Duration.ofSeconds(5)).build());
    feed(0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5);
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(
            AlertEvent.Type.FIRED, AlertEvent.Type.ESCALATED, AlertEvent.Type.RESOLVED);
    assertThat(pager)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.ESCALATED, AlertEvent.Type.RESOLVED);
    assertThat(pager.get(0).alert().severity()).isEqualTo(Severity.CRITICAL);
    assertThat(critical)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.ESCALATED, AlertEvent.Type.RESOLVED);
    assertThat(alerts.channelStats())
        .extracting(Alerts.ChannelStats::name)
        .containsExactly("listeners", "pager", "critical");
    assertThat(alerts.channelStats().get(1).delivered()).isEqualTo(2);
  }

  static AlertChannel channel(String name, List<AlertEvent> sink) {
    return new AlertChannel() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void deliver(AlertEvent event) {
        sink.add(event);
      }
    };
  }

  @Test
  void belowRules_mirrorAbove() {
    alerts.addRule(
        AlertRule.builder("free-low")
            .metric(Metric.of("free", Metric.FRACTION, s -> 1 - s.liveSetUtilization()))
            .below(0.2)
            .clearAt(0.3)
            .build());
    feed(0.5, 0.85, 0.75, 0.65);
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED);
  }

  @Test
  void unknownValues_changeNothing() {
    alerts.addRule(liveHigh().forAtLeast(Duration.ofSeconds(2)).build());
    feed(0.9, Double.NaN, Double.NaN, 0.9);
    assertThat(events).hasSize(1);
    feed(Double.NaN, Double.NaN);
    assertThat(alerts.active()).hasSize(1);
  }

  @Test
  void leakRule_firesWhileTheDetectorReportsALeak_withTheTopSuspectInTheMessage() {
    alerts.addRule(AlertRule.builder("leak").leakDetected().severity(Severity.CRITICAL).build());
    LeakStatus leak =
        new LeakStatus(
            LeakStatus.State.LEAK, T0, Duration.ofSeconds(30), 10, 1e6, 1e-5, 1, Duration.ZERO, T0);
    LeakReport report =
        new LeakReport(
            T0,
            Duration.ofSeconds(30),
            10,
            60.0 * (1 << 20),
            1e-5,
            100,
            200,
            java.util.Optional.of(Duration.ofMinutes(2)),
            List.of(
                new LeakSuspect(
                    LeakSuspect.Kind.CLASS, "com.example.Leaky", 1024, 32, 4096, 128, false)),
            2,
            "",
            "fix it");
    alerts.evaluate(at(0.5), leak, report);
    alerts.evaluate(at(0.5), leak, report);
    alerts.evaluate(at(0.5), NO_LEAK, report);
    assertThat(events)
        .extracting(AlertEvent::type)
        .containsExactly(AlertEvent.Type.FIRED, AlertEvent.Type.RESOLVED);
    assertThat(events.get(0).alert().message())
        .contains("60.0 MiB/min")
        .contains("com.example.Leaky")
        .contains("2m 0s");
    assertThat(events.get(0).alert().signal()).isEqualTo("leak");
  }

  @Test
  void history_isBoundedAndFiltersByWindow() {
    Alerts small = new Alerts(3, Dispatcher::direct);
    small.addRule(liveHigh().build());
    for (int i = 0; i < 5; i++) {
      small.evaluate(at(0.9), NO_LEAK, null);
      small.evaluate(at(0.1), NO_LEAK, null);
    }
    assertThat(small.history()).hasSize(3);
    assertThat(small.history(Duration.ofSeconds(1))).hasSize(2);
    assertThat(small.history(Duration.ZERO)).hasSize(1);
  }

  @Test
  void listenerAndRuleHandles_unregister_andAThrowingListenerDoesNotStopOthers() {
    List<AlertEvent> second = new ArrayList<>();
    alerts.addListener(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    Registration handle = alerts.addListener(second::add);
    Registration rule = alerts.addRule(liveHigh().build());
    feed(0.9);
    assertThat(events).hasSize(1);
    assertThat(second).hasSize(1);
    handle.close();
    handle.close();
    feed(0.1);
    assertThat(second).hasSize(1);
    rule.close();
    feed(0.9);
    assertThat(events).hasSize(2);
    assertThat(alerts.rules()).isEmpty();
  }

  @Test
  void duplicateRuleNames_areRejectedWithTheName() {
    alerts.addRule(liveHigh().build());
    assertThatThrownBy(() -> alerts.addRule(liveHigh().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("live-high");
  }

  @Test
  void ruleBuilder_validates() {
    assertThatThrownBy(() -> AlertRule.builder(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> AlertRule.builder("x").above(1).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("metric");
    assertThatThrownBy(() -> AlertRule.builder("x").metric(Metric.RSS).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("above");
    assertThatThrownBy(() -> AlertRule.builder("x").metric(Metric.RSS).above(1).clearAt(2).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clearAt");
    assertThatThrownBy(() -> AlertRule.builder("x").metric(Metric.RSS).below(1).clearAt(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clearAt");
    assertThatThrownBy(
            () ->
                AlertRule.builder("x")
                    .metric(Metric.RSS)
                    .above(1)
                    .severity(Severity.CRITICAL)
                    .maxSeverity(Severity.WARNING)
                    .build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(liveHigh().build().toString()).contains("live-high").contains("clears < 0.7");
  }

  @Test
  void slowChannel_neverBlocksEvaluation_dropsAreCounted() throws Exception {
    Alerts threaded = new Alerts(100, name -> Dispatcher.threaded(name, 2));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch firstArrived = new CountDownLatch(1);
    threaded.addChannel(
        new AlertChannel() {
          @Override
          public String name() {
            return "stuck";
          }

          @Override
          public void deliver(AlertEvent event) throws InterruptedException {
            firstArrived.countDown();
            release.await();
          }
        },
        Severity.INFO);
    threaded.addRule(liveHigh().build());
    threaded.evaluate(at(0.9), NO_LEAK, null);
    assertThat(firstArrived.await(10, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < 20; i++) {
      threaded.evaluate(at(0.1), NO_LEAK, null);
      threaded.evaluate(at(0.9), NO_LEAK, null);
    }
    Alerts.ChannelStats stuck = threaded.channelStats().get(1);
    assertThat(stuck.dropped()).isEqualTo(41 - 1 - 2);
    assertThat(stuck.queued()).isEqualTo(2);
    assertThat(threaded.droppedEvents()).isEqualTo(38);
    assertThat(threaded.history()).hasSize(41);
    release.countDown();
    threaded.close();
    threaded.close();
  }

  @Test
  void failingChannel_isCountedAndOthersStillDeliver() {
    List<AlertEvent> good = new ArrayList<>();
    alerts.addChannel(
        new AlertChannel() {
          @Override
          public String name() {
            return "broken";
          }

          @Override
          public void deliver(AlertEvent event) throws IOException {
            throw new IOException("connection refused");
          }
        },
        Severity.INFO);
    alerts.addChannel(channel("good", good), Severity.INFO);
    alerts.addRule(liveHigh().build());
    feed(0.9, 0.1);
    assertThat(good).hasSize(2);
    assertThat(alerts.channelStats().get(1).failed()).isEqualTo(2);
    assertThat(alerts.channelStats().get(1).delivered()).isZero();
  }

  @Test
  void webhook_postsEventJsonToALocalServer_andCountsNon2xxAsFailures() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    BlockingQueue<String> bodies = new ArrayBlockingQueue<>(10);
    BlockingQueue<String> types = new ArrayBlockingQueue<>(10);
    server.createContext(
        "/hook",
        exchange -> {
          String received =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          types.add(
              exchange.getRequestHeaders().getFirst("Content-Type")
                  + " "
                  + exchange.getRequestMethod()
                  + " "
                  + exchange.getRequestHeaders().getFirst("X-Token"));
          // The resolution is refused, so the channel counts one failure.
          exchange.sendResponseHeaders(received.contains("\"RESOLVED\"") ? 500 : 200, -1);
          exchange.close();
          bodies.add(received);
        });
    server.start();
    try {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
      AlertChannel webhook =
          AlertChannels.webhook(uri, Duration.ofSeconds(5), java.util.Map.of("X-Token", "t0k"));
      CountDownLatch attempts = new CountDownLatch(2);
      Alerts threaded = new Alerts(10, name -> Dispatcher.threaded(name, 16));
      threaded.addChannel(
          new AlertChannel() {
            @Override
            public String name() {
              return webhook.name();
            }

            @Override
            public void deliver(AlertEvent event) throws Exception {
              try {
                webhook.deliver(event);
              } finally {
                attempts.countDown();
              }
            }
          },
          Severity.WARNING);
      threaded.addRule(liveHigh().build());
      threaded.evaluate(at(0.9), NO_LEAK, null);
      String body = bodies.poll(10, TimeUnit.SECONDS);
      assertThat(body)
          .startsWith("{\"type\":\"FIRED\",\"time\":\"")
          .contains("\"rule\":\"live-high\"")
          .contains("\"severity\":\"WARNING\"")
          .contains("\"value\":0.9");
      assertThat(types.poll(1, TimeUnit.SECONDS))
          .isEqualTo("application/json; charset=utf-8 POST t0k");
      threaded.evaluate(at(0.1), NO_LEAK, null);
      assertThat(bodies.poll(10, TimeUnit.SECONDS)).contains("RESOLVED");
      assertThat(attempts.await(10, TimeUnit.SECONDS)).isTrue();
      // The counts are updated just after deliver() returns or throws: wait for both to be counted.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (threaded.channelStats().get(1).delivered() + threaded.channelStats().get(1).failed()
              < 2
          && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      threaded.close();
      Alerts.ChannelStats hook = threaded.channelStats().get(1);
      assertThat(hook.name()).isEqualTo("webhook 127.0.0.1:" + server.getAddress().getPort());
      assertThat(hook.delivered()).isEqualTo(1);
      assertThat(hook.failed()).isEqualTo(1);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void webhook_rejectsBadArguments() {
    assertThatThrownBy(() -> AlertChannels.webhook(URI.create("ftp://x/y")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http");
    assertThatThrownBy(
            () ->
                AlertChannels.webhook(URI.create("http://x/y"), Duration.ZERO, java.util.Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("time-out");
  }

  @Test
  void eventJson_andToString() {
    alerts.addRule(liveHigh().build());
    feed(0.9);
    AlertEvent e = events.get(0);
    assertThat(e.toJson()).contains("\"resolvedAt\":null").contains("\"escalationLevel\":0");
    assertThat(e.toString()).startsWith("FIRED WARNING live-high (alert #1)");
  }
}
