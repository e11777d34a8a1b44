package io.memguard.autofeat;

import io.memguard.core.MemoryManager;
import io.memguard.core.Registration;
import io.memguard.core.WeakRegistry;
import java.util.List;
import java.util.Objects;

/**
 * The fitted models of an application, held weakly: registering a model never keeps it alive, so a
 * model the application drops can be collected, and {@link #liveCount()} says how many are still
 * alive (a count that keeps growing is a leak in the application, and the monitor watches it when
 * the registry was made with {@link #of(MemoryManager, String)}).
 *
 * <p>Backed by a core {@link WeakRegistry}: collected entries are pruned through a reference queue
 * whenever the registry is used; no thread, no explicit garbage collection. A processor built with
 * {@link AutoFeatProcessor.Builder#registry(ModelRegistry)} registers every model it fits.
 * Thread-safe. Closing clears it; closing twice does nothing.
 *
 * @since 0.1.0
 */
public final class ModelRegistry implements AutoCloseable {

  private final WeakRegistry<AutoFeatModel> registry;

  private ModelRegistry(WeakRegistry<AutoFeatModel> registry) {
    this.registry = registry;
  }

  /** A registry the manager knows of, so the monitor can watch its live count for leaks. */
  public static ModelRegistry of(MemoryManager memory, String name) {
    Objects.requireNonNull(memory, "memory");
    return new ModelRegistry(memory.newWeakRegistry(Objects.requireNonNull(name, "name")));
  }

  /** The registry's name. */
  public String name() {
    return registry.name();
  }

  /**
   * Registers a model, held weakly and labelled with its features.
   *
   * @return a registration that removes it
   * @throws IllegalStateException if the registry is closed
   */
  public Registration register(AutoFeatModel model) {
    Objects.requireNonNull(model, "model");
    return registry.add(model, "autofeat model " + model.features());
  }

  /** Models still alive now (after pruning collected ones). */
  public int liveCount() {
    return registry.liveCount();
  }

  /** Strong references to the live models, in registration order; hold the list briefly. */
  public List<AutoFeatModel> liveModels() {
    return registry.liveEntries();
  }

  /** Models ever registered. */
  public long registeredCount() {
    return registry.addedCount();
  }

  /** Models found collected so far. */
  public long collectedCount() {
    return registry.collectedCount();
  }

  /** Clears the registry; idempotent. */
  @Override
  public void close() {
    registry.close();
  }

  @Override
  public String toString() {
    return "ModelRegistry[" + name() + ", live=" + liveCount() + "]";
  }
}
