package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's AutoFeat example, kept identical to it so that it always compiles and works. */
class QuickStartTest {

  @Test
  void readmeAutoFeatExample() {
    Path csv = Path.of("src/test/resources/data/synthetic_n2000_seed0.csv");
    Path testRows = Path.of("src/test/resources/data/synthetic_n2000_seed0_test_idx.txt");
    MemoryManager[] held = new MemoryManager[1];
    // README autofeat begins
    try (MemoryManager memory =
            MemoryManager.builder().limit(MemorySize.percentOfMaxHeap(80)).build();
        ModelRegistry models = ModelRegistry.of(memory, "autofeat-models");
        MemoryScope scope = memory.openScope("train-autofeat")) {

      Dataset.Split data = Dataset.fromCsv(csv, "target").split(Dataset.readIndices(testRows));
      AutoFeatProcessor processor =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(3)
              .registry(models)
              .listener(
                  new FitListener() {
                    @Override
                    public void onLightweight(LightweightEvent event) {
                      System.err.println("lightweight plan: " + event.reason());
                    }
                  })
              .build();

      try (AutoFeatModel model = processor.fit(scope, data.train())) {
        System.out.println(model.features() + ", test R^2 " + model.score(data.test()));
        System.out.println(model.report().describe());
      } // the fit released its batches as it went; closing the model releases the rest
      // README autofeat ends
      held[0] = memory;
      assertThat(memory.reservedBytes()).isZero();
      assertThat(models.registeredCount()).isEqualTo(1);
    }
    assertThat(held[0].reservedBytes()).isZero();
  }

  @Test
  void readmeSnippet_matchesThisTest() throws Exception {
    Path self = Path.of("src", "test", "java", "io", "memguard", "autofeat", "QuickStartTest.java");
    String test = Files.readString(self);
    String snippet = between(test, "// README autofeat begins\n", "    // README autofeat ends");
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(normalize(readme)).contains(normalize(snippet));
  }

  private static String between(String text, String from, String to) {
    int start = text.indexOf(from) + from.length();
    return text.substring(start, text.indexOf(to, start));
  }

  private static String normalize(String code) {
    StringBuilder sb = new StringBuilder();
    for (String line : code.split("\n")) {
      if (!line.isBlank()) {
        sb.append(line.strip()).append('\n');
      }
    }
    return sb.toString();
  }
}
