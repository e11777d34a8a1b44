package io.memguard.bench;

import java.nio.file.Path;

/**
 * Writes a generated data set ({@link GeneratedData}: the fuzz's cases, the corpus's 200,000-row
 * cases) as CSV with its test rows, the shared data's format, so that other tools (the Python
 * reference) can fit the very same rows.
 */
final class GenDataScenario implements Scenario {

  @Override
  public String name() {
    return "gen-data";
  }

  @Override
  public String usage() {
    return "gen-data --generated SPEC --out CSV --test-out FILE"
        + " (SPEC: fuzz:SEED[:ROWS] | synthetic:ROWS:SEED | mixed:ROWS:SEED | classes:ROWS:SEED)";
  }

  @Override
  public Json.JsonObject run(ScenarioContext ctx) {
    String spec = ctx.required("generated");
    Path out = Path.of(ctx.required("out"));
    Path testOut = Path.of(ctx.required("test-out"));
    ctx.rejectUnused();
    GeneratedData.Generated g = GeneratedData.generate(spec);
    GeneratedData.write(g, out, testOut);
    ctx.progress("gen-data: %s: %s", spec, g.description());
    return Json.object()
        .put("scenario", "gen-data")
        .put("generated", spec)
        .put("problem", g.problem().name().toLowerCase(java.util.Locale.ROOT))
        .put("rows", g.data().rows())
        .put("columns", g.data().featureCount())
        .put("testRows", g.testRows().length)
        .put("description", g.description())
        .put("csv", out.toString())
        .put("testRowsFile", testOut.toString());
  }
}
