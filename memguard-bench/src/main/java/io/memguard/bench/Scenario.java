package io.memguard.bench;

/**
 * A runnable scenario of the bench jar: {@code java -jar memguard-bench.jar <name> [--key value
 * ...]}.
 *
 * <p>Contract: progress goes to {@link ScenarioContext#err()}; the last line written to {@link
 * ScenarioContext#out()} is one JSON object with the scenario's figures. Implementations are
 * stateless; one instance may be run several times, but not concurrently.
 */
public interface Scenario {

  /** The name used on the command line, e.g. {@code demo}. */
  String name();

  /** One line shown by {@code --help}, including the options the scenario takes. */
  String usage();

  /**
   * Runs the scenario and returns its JSON result; the caller prints it as the last stdout line.
   *
   * @throws IllegalArgumentException for a bad or unknown option
   * @throws Exception when the scenario itself fails; the caller reports it and exits non-zero
   */
  Json.JsonObject run(ScenarioContext context) throws Exception;
}
