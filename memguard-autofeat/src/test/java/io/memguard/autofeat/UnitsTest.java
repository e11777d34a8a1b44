package io.memguard.autofeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.MemorySize;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Units and the Pi theorem (autofeat's units and apply_pi_theorem). */
class UnitsTest {

  private static final Map<String, String> UNITS =
      Map.of("rho", "kg/m^3", "v", "km/h", "L", "cm", "mu", "Pa*s");

  /** The target is a Reynolds number, rho * v * L / mu, which one step cannot build. */
  private static Dataset pipeFlow(int rows, long seed) {
    Random r = new Random(seed);
    double[][] x = new double[5][rows];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      x[0][i] = 500 + 1000 * r.nextDouble();
      x[1][i] = 0.5 + 1.5 * r.nextDouble();
      x[2][i] = 0.05 + 0.15 * r.nextDouble();
      x[3][i] = 0.5 + 1.5 * r.nextDouble();
      x[4][i] = r.nextGaussian();
      y[i] = x[0][i] * x[1][i] * x[2][i] / x[3][i] / 100 + 0.01 * r.nextGaussian();
    }
    return Dataset.of(List.of("rho", "v", "L", "mu", "noise"), x, y);
  }

  private static MemoryManager manager() {
    return MemoryManager.builder().limit(MemorySize.ofMebibytes(256)).build();
  }

  @Test
  void thePiTheoremsGroup_isAStartFeature_thatSelectionFinds_andTheModelSavesIt() throws Exception {
    Dataset train = pipeFlow(400, 1);
    Dataset test = pipeFlow(200, 2);
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder().featureEngineeringSteps(1).units(UNITS).build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model = processor.fit(scope, train);
        AutoFeatModel plain =
            AutoFeatProcessor.builder().featureEngineeringSteps(1).build().fit(scope, train)) {
      assertThat(model.report().decisions())
          .anyMatch(d -> d.startsWith("Pi theorem: 1 dimensionless start features [rho*v*L/mu]"));
      assertThat(model.features()).contains("rho*v*L/mu");
      assertThat(model.score(test)).isGreaterThan(0.999);
      assertThat(plain.score(test)).isLessThan(model.score(test) - 0.01);

      ByteArrayOutputStream saved = new ByteArrayOutputStream();
      model.save(saved);
      try (AutoFeatModel loaded =
          AutoFeatModel.load(new ByteArrayInputStream(saved.toByteArray()), scope)) {
        assertThat(loaded.predict(test)).isEqualTo(model.predict(test));
      }
    }
    assertThat(processor.toString()).contains("units={").contains("applyPiTheorem=true");
  }

  @Test
  void aStreamedFit_findsTheGroupInItsSample_andItsFinalModelReadsEveryRow(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Dataset data = pipeFlow(3_000, 5);
    StringBuilder csv = new StringBuilder(String.join(",", data.names())).append(",y\n");
    for (int i = 0; i < data.rows(); i++) {
      for (String name : data.names()) {
        csv.append(data.column(name)[i]).append(',');
      }
      csv.append(data.target()[i]).append('\n');
    }
    AutoFeatProcessor processor =
        AutoFeatProcessor.builder()
            .featureEngineeringSteps(1)
            .units(UNITS)
            .maxSampleRows(500)
            .build();
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("stream");
        CsvSource source =
            CsvSource.open(java.nio.file.Files.writeString(dir.resolve("pipe.csv"), csv), "y");
        AutoFeatModel model = processor.fit(scope, source)) {
      assertThat(model.features()).contains("rho*v*L/mu");
      assertThat(model.rows().finalModelRows()).isEqualTo(3_000);
      assertThat(model.score(pipeFlow(200, 6))).isGreaterThan(0.999);
    }
  }

  @Test
  void withoutThePiTheorem_noGroupIsAdded_andNoFeatureMixesDimensions() {
    Dataset train = pipeFlow(300, 3);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(2)
                .units(UNITS)
                .applyPiTheorem(false)
                .build()
                .fit(scope, train)) {
      assertThat(model.report().decisions()).noneMatch(d -> d.startsWith("Pi theorem"));
      for (String f : model.features()) {
        for (String dimensional : List.of("rho", "v", "L", "mu")) {
          assertThat(f)
              .doesNotContain("log(" + dimensional + ")")
              .doesNotContain("exp(" + dimensional + ")");
        }
      }
    }
  }

  @Test
  void thePiTheoremTakesOnlyTheEngineeredColumns() {
    Dataset train = pipeFlow(300, 7);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel withoutMu =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .units(UNITS)
                .featureEngineeringColumns(List.of("rho", "v", "L", "noise"))
                .build()
                .fit(scope, train);
        AutoFeatModel withMu =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .units(UNITS)
                .featureEngineeringColumns(List.of("rho", "v", "L", "mu"))
                .build()
                .fit(scope, train)) {
      // a density, a speed and a length have no dimensionless product; with a viscosity, one
      assertThat(withoutMu.report().decisions()).noneMatch(d -> d.startsWith("Pi theorem"));
      assertThat(withMu.report().decisions())
          .anyMatch(d -> d.equals("Pi theorem: 1 dimensionless start features [rho*v*L/mu]"));
    }
  }

  @Test
  void unitsWithCategoricalColumns_aClassifier_andFeatureEngineeringColumns() {
    Random r = new Random(12);
    StringBuilder csv = new StringBuilder("rho,v,L,mu,pipe,regime\n");
    for (int i = 0; i < 400; i++) {
      double rho = 500 + 1000 * r.nextDouble();
      double v = 0.5 + 1.5 * r.nextDouble();
      double l = 0.05 + 0.15 * r.nextDouble();
      double mu = 0.5 + 1.5 * r.nextDouble();
      String pipe = i % 3 == 0 ? "steel" : "copper";
      boolean turbulent = rho * v * l / mu * (pipe.equals("steel") ? 1.3 : 1) > 150;
      csv.append(rho).append(',').append(v).append(',').append(l).append(',').append(mu);
      csv.append(',').append(pipe).append(',').append(turbulent ? "turbulent" : "laminar");
      csv.append('\n');
    }
    Dataset data =
        Dataset.readCsv(new StringReader(csv.toString()), "regime", List.of("pipe"), "pipes.csv");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .problemType(ProblemType.CLASSIFICATION)
                .featureEngineeringSteps(1)
                .units(UNITS)
                .featureEngineeringColumns(List.of("rho", "v", "L", "mu", "pipe"))
                .build()
                .fit(scope, data)) {
      assertThat(model.report().decisions())
          .anyMatch(d -> d.equals("Pi theorem: 1 dimensionless start features [rho*v*L/mu]"));
      assertThat(model.classLabels()).containsExactly("laminar", "turbulent");
      assertThat(model.score(data)).isGreaterThan(0.9);
    }
  }

  @Test
  void whenSelectionKeepsNothing_theModelTakesTheInputsAndThePiGroups_asAutofeatDoes() {
    Random r = new Random(3);
    int rows = 200;
    double[][] x = new double[4][rows];
    double[] y = new double[rows];
    for (int i = 0; i < rows; i++) {
      x[0][i] = 500 + 1000 * r.nextDouble();
      x[1][i] = 0.5 + 1.5 * r.nextDouble();
      x[2][i] = 0.05 + 0.15 * r.nextDouble();
      x[3][i] = 0.5 + 1.5 * r.nextDouble();
      y[i] = r.nextGaussian(); // no signal: selection keeps nothing
    }
    Dataset noise = Dataset.of(List.of("rho", "v", "L", "mu"), x, y);
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit");
        AutoFeatModel model =
            AutoFeatProcessor.builder()
                .featureEngineeringSteps(1)
                .units(Map.of("rho", "kg/m^3", "v", "m/s", "L", "cm", "mu", "Pa*s"))
                .build()
                .fit(scope, noise)) {
      assertThat(model.features()).containsExactly("rho", "v", "L", "mu", "rho*v*L/mu");
    }
  }

  @Test
  void exponentsTooFineForExactArithmetic_leaveProposalsOut_orRefuseThePiTheoremClearly() {
    // (1e-9 m) * (3e-10 m) needs 1e9 * 1e10 in a common denominator: beyond exact longs
    Map<String, String> fine = Map.of("rho", "m^0.000000001", "v", "m^0.0000000003");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      try (AutoFeatModel model =
          AutoFeatProcessor.builder()
              .featureEngineeringSteps(2)
              .units(fine)
              .applyPiTheorem(false)
              .build()
              .fit(scope, pipeFlow(200, 8))) {
        // rho*v's dimension overflows: left out of generation instead of failing the fit
        assertThat(model.features()).isNotEmpty().doesNotContain("rho*v");
      }
      // the Pi theorem's exact row reduction outgrows longs on these: refused, saying what to do
      Map<String, String> finer =
          Map.of(
              "rho", "m^0.000000000000000001",
              "v", "s^0.000000000000000003",
              "L", "m^0.000000000000000007*s^0.000000000000000011");
      assertThatThrownBy(
              () ->
                  AutoFeatProcessor.builder()
                      .featureEngineeringSteps(1)
                      .units(finer)
                      .build()
                      .fit(scope, pipeFlow(200, 8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Pi theorem cannot reduce these units exactly")
          .hasMessageContaining("applyPiTheorem(false)");
    }
  }

  @Test
  void unitsAreCheckedWhenSet_andColumnsWhenAFitStarts() {
    assertThatThrownBy(() -> AutoFeatProcessor.builder().units(Map.of("v", "furlong/fortnight")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("units: column 'v': cannot read the unit 'furlong/fortnight'")
        .hasMessageContaining("[currency]");
    assertThatThrownBy(() -> AutoFeatProcessor.builder().units(Map.of(" ", "m")))
        .hasMessageContaining("blank column name");
    try (MemoryManager memory = manager();
        MemoryScope scope = memory.openScope("fit")) {
      assertThatThrownBy(
              () ->
                  AutoFeatProcessor.builder()
                      .units(Map.of("speed", "m/s"))
                      .build()
                      .fit(scope, pipeFlow(50, 4)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("units names 'speed', which the data does not have")
          .hasMessageContaining("[rho, v, L, mu, noise]");
      Dataset shops =
          Dataset.readCsv(
              new StringReader(
                  "a,shop,y\n" + "1,n,1\n2,s,2\n3,n,3\n4,s,4\n5,n,5\n6,s,7\n".repeat(3)),
              "y",
              List.of("shop"),
              "shops.csv");
      assertThatThrownBy(
              () ->
                  AutoFeatProcessor.builder().units(Map.of("shop", "m")).build().fit(scope, shops))
          .hasMessageContaining("categorical column 'shop'");
    }
  }
}
