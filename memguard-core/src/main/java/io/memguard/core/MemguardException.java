package io.memguard.core;

/**
 * The base of memguard's own unchecked exceptions: domain failures such as a budget exceeded, an
 * admission that timed out, cleanup actions that failed, or a task stopped on request. Messages
 * name what failed, where (the scope path), the numbers involved, and what the caller can do.
 *
 * @since 0.1.0
 */
public class MemguardException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message. */
  public MemguardException(String message) {
    super(message);
  }

  /** An exception with a message and a cause. */
  public MemguardException(String message, Throwable cause) {
    super(message, cause);
  }
}
