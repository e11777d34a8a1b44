package io.memguard.autofeat.internal.feateng;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.autofeat.internal.batch.HeapBytes;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SlabColumnStoreTest {

  private static double[] column(SplittableRandom rnd, int rows) {
    double[] v = new double[rows];
    for (int i = 0; i < rows; i++) {
      v[i] = rnd.nextGaussian() * 1e3;
    }
    return v;
  }

  private static double[] stored(ColumnStore store, double[] v) {
    double[] q = v.clone();
    store.quantize(q);
    return q;
  }

  /** Adds {@code count} random columns, checking their slots; returns the values as stored. */
  private static List<double[]> fill(ColumnStore store, SplittableRandom rnd, int count) {
    List<double[]> values = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      double[] v = column(rnd, store.rows());
      values.add(stored(store, v));
      assertThat(store.add(v)).isEqualTo(k);
    }
    return values;
  }

  @ParameterizedTest
  @EnumSource(StoragePrecision.class)
  void addReadGatherGet_returnTheStoredValuesWhateverTheSlab(StoragePrecision precision) {
    int rows = 37;
    ColumnStore store = ColumnStore.create(precision, rows);
    List<double[]> values = fill(store, new SplittableRandom(1), 500);
    int[] subset = {36, 0, 5, 5, 17};
    double[] scratch = new double[rows];
    for (int k = 0; k < values.size(); k++) {
      assertThat(store.read(k, scratch)).containsExactly(values.get(k));
      assertThat(store.get(k, 17)).isEqualTo(values.get(k)[17]);
      double[] dst = new double[subset.length];
      store.gather(k, subset, 2.0, 0.5, dst, scratch);
      for (int i = 0; i < subset.length; i++) {
        assertThat(dst[i]).isEqualTo((values.get(k)[subset[i]] - 2.0) * 0.5);
      }
    }
    assertThat(store.liveColumns()).isEqualTo(500);
  }

  @ParameterizedTest
  @EnumSource(StoragePrecision.class)
  void bytesUsed_isTheValuesPlusAtMostTheSlack_andEveryNewSlabIsAnnouncedBeforeTheAdd(
      StoragePrecision precision) {
    int rows = 1000;
    ColumnStore store = ColumnStore.create(precision, rows);
    SplittableRandom rnd = new SplittableRandom(2);
    long reserved = 0;
    for (int k = 0; k < 3000; k++) {
      reserved += store.bytesToAdd(false);
      store.add(column(rnd, rows));
      assertThat(store.bytesUsed()).isEqualTo(reserved);
      double values = (k + 1.0) * rows * precision.bytesPerValue();
      assertThat((double) store.bytesUsed())
          .isLessThanOrEqualTo(values + ColumnStore.slackBytes(precision, rows, values) + 64);
    }
    assertThat(store.bytesUsed())
        .isLessThan(
            3000
                * (precision == StoragePrecision.DOUBLE
                    ? HeapBytes.doubles(rows)
                    : HeapBytes.floats(rows))
                * 5
                / 4);
  }

  @ParameterizedTest
  @EnumSource(StoragePrecision.class)
  void compact_movesLiveColumnsOverTheHoles_keepsTheirValues_andDropsEmptiedSlabs(
      StoragePrecision precision) {
    int rows = 500;
    ColumnStore store = ColumnStore.create(precision, rows);
    SplittableRandom rnd = new SplittableRandom(3);
    List<double[]> values = fill(store, rnd, 4000);
    long full = store.bytesUsed();
    for (int k = 0; k < 4000; k++) {
      if (k % 4 != 0) {
        store.release(k);
      }
    }
    store.release(1); // twice is harmless
    assertThat(store.liveColumns()).isEqualTo(1000);
    assertThat(store.bytesUsed()).isEqualTo(full);
    store.compact();
    assertThat(store.bytesUsed()).isLessThan(full / 2);
    double[] scratch = new double[rows];
    for (int k = 0; k < 4000; k += 4) {
      assertThat(store.read(k, scratch)).containsExactly(values.get(k));
    }
    assertThatThrownBy(() -> store.read(1, scratch))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("column 1 was released");
    // the store goes on growing after a compaction, into the room left
    double[] v = column(rnd, rows);
    int slot = store.add(v);
    assertThat(store.read(slot, scratch)).containsExactly(stored(store, v));
    assertThat(store.read(3996, scratch)).containsExactly(values.get(3996));
  }
}
