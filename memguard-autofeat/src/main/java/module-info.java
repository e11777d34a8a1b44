/**
 * memguard-autofeat: the autofeat algorithm (non-linear feature generation, L1 selection, a linear
 * model) fitted inside memguard scopes. Only {@code io.memguard.autofeat} is exported; the engine
 * under {@code io.memguard.autofeat.internal} is not part of the API.
 *
 * @since 0.1.0
 */
module io.memguard.autofeat {
  requires transitive io.memguard.core;
  requires org.slf4j;
  requires java.management;
  requires jdk.management;
  requires jdk.jfr;

  exports io.memguard.autofeat;
}
