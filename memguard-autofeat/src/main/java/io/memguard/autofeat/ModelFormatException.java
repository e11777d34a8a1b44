package io.memguard.autofeat;

import java.io.IOException;

/**
 * A saved AutoFeat model could not be read: the file is not one, is corrupt (its checksum does not
 * match), is truncated, or was written in a newer format than this memguard reads. The message
 * names the line and what was expected there.
 *
 * @since 0.1.0
 */
public class ModelFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final int line;

  /** An exception about {@code line} (1-based; 0 when it concerns the whole file). */
  public ModelFormatException(int line, String message) {
    super(message);
    this.line = line;
  }

  /** An exception about {@code line} with a cause. */
  public ModelFormatException(int line, String message, Throwable cause) {
    super(message, cause);
    this.line = line;
  }

  /** The 1-based line the problem was found on, or 0 when it concerns the whole file. */
  public int line() {
    return line;
  }
}
