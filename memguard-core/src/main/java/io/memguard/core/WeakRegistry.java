package io.memguard.core;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A registry that holds its entries weakly, so registering an object (a fitted model, a listener)
 * never keeps it alive. Collected entries are pruned through a {@link ReferenceQueue} whenever the
 * registry is used; there is no background thread. Listeners hear of additions and collections.
 *
 * <p>Create one with {@link MemoryManager#newWeakRegistry(String)} (the monitor then watches its
 * live count for leaks). Thread-safe. Closing clears it; closing twice does nothing.
 *
 * @param <T> the type of the entries
 * @since 0.1.0
 */
public final class WeakRegistry<T> implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WeakRegistry.class);

  /**
   * Hears of a registry's additions and collections. Default methods do nothing; whatever a method
   * throws is logged and ignored.
   */
  public interface Listener<T> {
    /** An entry was added. */
    default void onAdded(T value, String label) {}

    /** An entry was collected by the GC (found on the next use of the registry). */
    default void onCollected(String label) {}
  }

  private final String name;
  private final ReferenceQueue<T> queue = new ReferenceQueue<>();
  private final Map<Long, Entry<T>> entries = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<Listener<T>> listeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> closeHooks = new CopyOnWriteArrayList<>();
  private long nextId;
  private long added;
  private long collected;
  private boolean closed;

  WeakRegistry(String name, Runnable onClose) {
    this.name = Objects.requireNonNull(name, "name");
    closeHooks.add(onClose);
  }

  /** A registry not known to any manager (tests); users go through {@link MemoryManager}. */
  static <T> WeakRegistry<T> unmanaged(String name) {
    return new WeakRegistry<>(name, () -> {});
  }

  /** The registry's name. */
  public String name() {
    return name;
  }

  /** Adds an entry labelled with its class name; see {@link #add(Object, String)}. */
  public Registration add(T value) {
    return add(value, value == null ? "null" : value.getClass().getName());
  }

  /**
   * Adds an entry, held weakly.
   *
   * @param label how the entry is named to listeners after it is gone
   * @return a registration that removes the entry
   * @throws IllegalStateException if the registry is closed
   */
  public Registration add(T value, String label) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(label, "label");
    Entry<T> entry;
    synchronized (entries) {
      if (closed) {
        throw new IllegalStateException("weak registry '" + name + "' is closed");
      }
      expungeLocked();
      entry = new Entry<>(value, queue, nextId++, label);
      entries.put(entry.id, entry);
      added++;
    }
    for (Listener<T> l : listeners) {
      try {
        l.onAdded(value, label);
      } catch (Throwable e) {
        log.warn("memguard: weak registry listener threw; ignored", e);
      }
    }
    return () -> {
      synchronized (entries) {
        entries.remove(entry.id);
        entry.clear();
      }
    };
  }

  /** Entries still alive now (after pruning collected ones). */
  public int liveCount() {
    List<String> gone;
    int count;
    synchronized (entries) {
      gone = expungeLocked();
      count = entries.size();
    }
    notifyCollected(gone);
    return count;
  }

  /** Strong references to the live entries, in insertion order; hold the list briefly. */
  public List<T> liveEntries() {
    List<T> live = new ArrayList<>();
    List<String> gone;
    synchronized (entries) {
      gone = expungeLocked();
      for (Entry<T> e : entries.values()) {
        T value = e.get();
        if (value != null) {
          live.add(value);
        }
      }
    }
    notifyCollected(gone);
    return live;
  }

  /** Entries ever added. */
  public long addedCount() {
    synchronized (entries) {
      return added;
    }
  }

  /** Entries found collected so far. */
  public long collectedCount() {
    liveCount();
    synchronized (entries) {
      return collected;
    }
  }

  /** Tells {@code listener} of additions and collections from now on. */
  public Registration addListener(Listener<T> listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return Registration.once(() -> listeners.remove(listener));
  }

  void onClose(Runnable hook) {
    closeHooks.add(hook);
  }

  private List<String> expungeLocked() {
    List<String> gone = null;
    for (Object ref; (ref = queue.poll()) != null; ) {
      @SuppressWarnings("unchecked")
      Entry<T> e = (Entry<T>) ref;
      if (entries.remove(e.id) != null) {
        collected++;
        if (gone == null) {
          gone = new ArrayList<>();
        }
        gone.add(e.label);
      }
    }
    return gone == null ? List.of() : gone;
  }

  private void notifyCollected(List<String> gone) {
    for (String label : gone) {
      for (Listener<T> l : listeners) {
        try {
          l.onCollected(label);
        } catch (Throwable e) {
          log.warn("memguard: weak registry listener threw; ignored", e);
        }
      }
    }
  }

  /** Clears the registry and forgets its listeners; idempotent. */
  @Override
  public void close() {
    synchronized (entries) {
      if (closed) {
        return;
      }
      closed = true;
      entries.values().forEach(WeakReference::clear);
      entries.clear();
    }
    listeners.clear();
    closeHooks.forEach(Runnable::run);
  }

  @Override
  public String toString() {
    return "WeakRegistry[" + name + ", live=" + liveCount() + "]";
  }

  private static final class Entry<T> extends WeakReference<T> {
    final long id;
    final String label;

    Entry(T referent, ReferenceQueue<T> queue, long id, String label) {
      super(referent, queue);
      this.id = id;
      this.label = label;
    }
  }
}
