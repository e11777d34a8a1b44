package io.memguard.monitor;

import java.util.concurrent.TimeUnit;

/**
 * A second process that takes memory: started with {@code -Xms<N> -Xmx<N> -XX:+AlwaysPreTouch} it
 * touches its whole heap at start-up, prints "ready", then holds it until its standard input closes
 * or {@code args[0]} seconds pass, whichever comes first.
 */
public final class MemoryHog {
  private MemoryHog() {}

  /** Holds the pre-touched heap for at most {@code args[0]} seconds. */
  public static void main(String[] args) throws Exception {
    long seconds = args.length > 0 ? Long.parseLong(args[0]) : 30;
    System.out.println("ready");
    System.out.flush();
    Thread watchdog =
        new Thread(
            () -> {
              try {
                while (System.in.read() >= 0) {
                  // wait for the parent to close our stdin
                }
              } catch (java.io.IOException ignored) {
                // the parent is gone
              }
              System.exit(0);
            });
    watchdog.setDaemon(true);
    watchdog.start();
    TimeUnit.SECONDS.sleep(seconds);
    System.exit(0);
  }
}
