/**
 * memguard-micrometer: a Micrometer {@code MeterBinder} for memguard's figures. Only {@code
 * io.memguard.micrometer} is exported.
 *
 * @since 0.1.0
 */
module io.memguard.micrometer {
  requires transitive io.memguard.monitor;
  requires transitive io.memguard.autofeat;
  requires transitive micrometer.core;

  exports io.memguard.micrometer;
}
