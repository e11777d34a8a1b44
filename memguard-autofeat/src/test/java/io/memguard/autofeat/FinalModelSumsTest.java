package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sums made in parts, merged in any grouping, refit as the sums of the whole do. */
class FinalModelSumsTest {

  @Test
  void partsMergedInAnyOrder_refitAsTheWhole_andTheModelSeesEveryRow() {
    Dataset.Split split = TestData.synthetic();
    Dataset all = split.train();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("sums")) {
      Dataset sample = all.rows(java.util.stream.IntStream.range(0, 300).toArray());
      try (AutoFeatModel searched =
          AutoFeatProcessor.builder().featureEngineeringSteps(2).build().fit(scope, sample)) {
        double[][] reference = searched.transform(sample);
        double[][] features = searched.transform(all);
        int n = all.rows();

        FinalModelSums whole = FinalModelSums.forModel(searched, n, reference, sample.rows());
        whole.add(0, features, all.target(), n);

        List<int[]> parts = new ArrayList<>();
        for (int from = 0; from < n; from += 173) {
          parts.add(new int[] {from, Math.min(n, from + 173)});
        }
        Collections.shuffle(parts, new Random(3));
        List<FinalModelSums> sums = new ArrayList<>();
        for (int[] part : parts) {
          FinalModelSums s = FinalModelSums.forModel(searched, n, reference, sample.rows());
          int len = part[1] - part[0];
          double[][] f = new double[features.length][];
          for (int k = 0; k < f.length; k++) {
            f[k] = java.util.Arrays.copyOfRange(features[k], part[0], part[1]);
          }
          s.add(part[0], f, java.util.Arrays.copyOfRange(all.target(), part[0], part[1]), len);
          sums.add(s);
        }
        FinalModelSums merged = sums.get(0);
        for (int i = 1; i < sums.size(); i++) {
          merged.merge(sums.get(i));
        }
        assertThat(merged.rows()).isEqualTo(whole.rows()).isEqualTo(n);

        try (AutoFeatModel a = whole.refit(searched, scope);
            AutoFeatModel b = merged.refit(searched, scope)) {
          assertThat(a.features()).isEqualTo(searched.features());
          assertThat(a.rows().finalModelRows()).isEqualTo(n);
          assertThat(a.rows().sampleRows()).isEqualTo(300);
          double[] ca = a.coefficients()[0];
          double[] cb = b.coefficients()[0];
          for (int k = 0; k < ca.length; k++) {
            assertThat(cb[k]).isCloseTo(ca[k], within(1e-9 * Math.max(1, Math.abs(ca[k]))));
          }
          assertThat(a.score(split.test())).isGreaterThan(0.9);
          assertThat(a.report().decisions())
              .anyMatch(d -> d.startsWith("final model: refitted on all " + n + " rows"));
          assertThat(searched.isClosed()).isFalse();
        }

        FinalModelSums other = FinalModelSums.forModel(searched, n + 1, reference, sample.rows());
        assertThatThrownBy(() -> merged.merge(other))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("another model or another whole");
        assertThatThrownBy(() -> other.add(n - 2, features, all.target(), 5))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("outside the");
      }
    }
  }

  @Test
  void aTargetFarFromZero_refitsAsTheSameTargetNearZero() {
    Dataset all = TestData.synthetic().train();
    int n = all.rows();
    double offset = 1e8;
    double[] shifted = all.target().clone();
    for (int i = 0; i < n; i++) {
      shifted[i] += offset;
    }
    List<String> inputs = all.names();
    double[][] columns = new double[inputs.size()][];
    for (int j = 0; j < columns.length; j++) {
      columns[j] = all.column(inputs.get(j));
    }
    Dataset far = Dataset.of(inputs, columns, shifted);
    int[] first300 = java.util.stream.IntStream.range(0, 300).toArray();
    AutoFeatProcessor processor = AutoFeatProcessor.builder().featureEngineeringSteps(2).build();
    try (MemoryManager memory = MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
        MemoryScope scope = memory.openScope("sums");
        AutoFeatModel nearModel = processor.fit(scope, all.rows(first300));
        AutoFeatModel farModel = processor.fit(scope, far.rows(first300))) {
      assertThat(farModel.features()).isEqualTo(nearModel.features());
      double[][] features = nearModel.transform(all);
      double[][] reference = nearModel.transform(all.rows(first300));
      FinalModelSums near = FinalModelSums.forModel(nearModel, n, reference, 300);
      near.add(0, features, all.target(), n);
      FinalModelSums farSums = FinalModelSums.forModel(farModel, n, reference, 300);
      farSums.add(0, features, shifted, n);
      try (AutoFeatModel a = near.refit(nearModel, scope);
          AutoFeatModel b = farSums.refit(farModel, scope)) {
        double[] ca = a.coefficients()[0];
        double[] cb = b.coefficients()[0];
        for (int k = 0; k < ca.length; k++) {
          assertThat(cb[k]).isCloseTo(ca[k], within(1e-6 * Math.max(1, Math.abs(ca[k]))));
        }
        assertThat(b.intercepts()[0] - offset).isCloseTo(a.intercepts()[0], within(1e-4));
      }
    }
  }
}
