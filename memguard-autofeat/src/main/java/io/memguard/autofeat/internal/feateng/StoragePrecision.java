package io.memguard.autofeat.internal.feateng;

/**
 * How a {@link ColumnStore} keeps values: doubles, or floats for the lightweight mode; thread-safe.
 */
public enum StoragePrecision {
  /** 8 bytes per value, exact. */
  DOUBLE(8),
  /**
   * 4 bytes per value; values are rounded to float (and values beyond float range become infinite).
   */
  FLOAT(4);

  private final int bytesPerValue;

  StoragePrecision(int bytesPerValue) {
    this.bytesPerValue = bytesPerValue;
  }

  /** Bytes one stored value takes. */
  public int bytesPerValue() {
    return bytesPerValue;
  }
}
