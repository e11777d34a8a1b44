package io.memguard.autofeat;

import java.io.IOException;

/**
 * Receives a streamed transform's blocks. The arrays are the stream's own and are reused for the
 * next block: read (or copy) {@code rows} values of each during the call, never keep them.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface FeatureBlockConsumer {
  /**
   * One block.
   *
   * @param rows the rows in this block: the first {@code rows} values of each array
   * @param inputs the model's input columns, in {@link AutoFeatModel#inputNames()} order
   * @param features the features, in {@link AutoFeatModel#features()} order (NaN where a value is
   *     outside a feature's domain)
   * @throws IOException to end the stream; the error reaches the caller
   */
  void accept(int rows, double[][] inputs, double[][] features) throws IOException;
}
