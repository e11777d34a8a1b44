package io.memguard.dashboard;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link MemoryDashboard} serves: address and port, the access token, how many live streams
 * it feeds at once, how many events it keeps for them, and the window of its trends. Immutable and
 * thread-safe; made by {@link #builder()} or {@link #ofDefaults()}.
 *
 * <p>The defaults bind to 127.0.0.1 on a free port, with no token, 8 streams, 1,024 events and a
 * 5-minute trend window. Binding to any other address requires a token: every request must then
 * carry it, as {@code Authorization: Bearer <token>} or as the query parameter {@code token} (which
 * the page and its event stream use), and is answered 401 without it.
 *
 * @since 0.1.0
 */
public final class DashboardConfig {

  private final String bindAddress;
  private final int port;
  private final @Nullable String token;
  private final int maxStreams;
  private final int eventBuffer;
  private final Duration trendWindow;

  private DashboardConfig(Builder b) {
    this.bindAddress = b.bindAddress;
    this.port = b.port;
    this.token = b.token;
    this.maxStreams = b.maxStreams;
    this.eventBuffer = b.eventBuffer;
    this.trendWindow = b.trendWindow;
  }

  /** The defaults: 127.0.0.1, a free port, no token, 8 streams, 1,024 events, 5-minute trends. */
  public static DashboardConfig ofDefaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** The address the server binds to (a host name or a literal address). */
  public String bindAddress() {
    return bindAddress;
  }

  /** The port; 0 means any free port ({@link MemoryDashboard#port()} tells which). */
  public int port() {
    return port;
  }

  /** The token every request must carry, or null when none is required (loopback only). */
  public @Nullable String token() {
    return token;
  }

  /** How many Server-Sent Events streams are fed at once; more are answered 503. */
  public int maxStreams() {
    return maxStreams;
  }

  /** How many recent events are kept for streams that reconnect ({@code Last-Event-ID}). */
  public int eventBuffer() {
    return eventBuffer;
  }

  /** The window of the trends (slope and time to exhaustion) the snapshot carries. */
  public Duration trendWindow() {
    return trendWindow;
  }

  @Override
  public String toString() {
    return "DashboardConfig[bind="
        + bindAddress
        + ":"
        + port
        + ", token="
        + (token == null ? "none" : "set")
        + ", maxStreams="
        + maxStreams
        + ", eventBuffer="
        + eventBuffer
        + ", trendWindow="
        + trendWindow
        + "]";
  }

  /** Builds a {@link DashboardConfig}; not thread-safe. */
  public static final class Builder {
    private String bindAddress = "127.0.0.1";
    private int port = 0;
    private @Nullable String token;
    private int maxStreams = 8;
    private int eventBuffer = 1024;
    private Duration trendWindow = Duration.ofMinutes(5);

    private Builder() {}

    /** The address to bind to; anything but a loopback address also needs {@link #token}. */
    public Builder bindAddress(String address) {
      this.bindAddress = Objects.requireNonNull(address, "address");
      return this;
    }

    /** The port, 0 to 65535; 0 (the default) picks a free one. */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * The token requests must carry (at least 16 characters; null for none, which is allowed only
     * on a loopback address).
     */
    public Builder token(@Nullable String token) {
      if (token != null && token.length() < 16) {
        throw new IllegalArgumentException(
            "a dashboard token must have at least 16 characters, got " + token.length());
      }
      this.token = token;
      return this;
    }

    /** How many event streams at once, at least 1; default 8. */
    public Builder maxStreams(int streams) {
      if (streams < 1) {
        throw new IllegalArgumentException("maxStreams must be >= 1, got " + streams);
      }
      this.maxStreams = streams;
      return this;
    }

    /** How many events to keep for reconnecting streams, at least 16; default 1,024. */
    public Builder eventBuffer(int events) {
      if (events < 16) {
        throw new IllegalArgumentException("eventBuffer must be >= 16, got " + events);
      }
      this.eventBuffer = events;
      return this;
    }

    /** The trends' window, positive; default 5 minutes. */
    public Builder trendWindow(Duration window) {
      Objects.requireNonNull(window, "window");
      if (window.isNegative() || window.isZero()) {
        throw new IllegalArgumentException("trendWindow must be positive, got " + window);
      }
      this.trendWindow = window;
      return this;
    }

    /** The configuration. */
    public DashboardConfig build() {
      return new DashboardConfig(this);
    }
  }
}
