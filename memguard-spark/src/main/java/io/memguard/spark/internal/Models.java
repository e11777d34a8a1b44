package io.memguard.spark.internal;

import io.memguard.autofeat.AutoFeatModel;
import io.memguard.core.MemoryScope;
import io.memguard.spark.ExecutorMemory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The models this JVM's tasks use, parsed once from their saved text and kept (reserved in the
 * executor's manager, scope {@code memguard-spark-models}). The 16 most recently used are kept; an
 * evicted model is closed (its reservation released) once no task uses it. Thread-safe.
 */
public final class Models {
  private static final int KEPT = 16;
  private static final Map<String, Entry> cache = new LinkedHashMap<>(16, 0.75f, true);
  private static MemoryScope scope;

  private Models() {}

  private static final class Entry {
    final AutoFeatModel model;
    int users;
    boolean evicted;

    Entry(AutoFeatModel model) {
      this.model = model;
    }
  }

  /** A model in use by one task; closing it (once) ends the use. */
  public static final class Use implements AutoCloseable {
    private final Entry entry;
    private boolean closed;

    private Use(Entry entry) {
      this.entry = entry;
    }

    /** The model. */
    public AutoFeatModel model() {
      return entry.model;
    }

    @Override
    public void close() {
      synchronized (Models.class) {
        if (closed) {
          return;
        }
        closed = true;
        if (--entry.users == 0 && entry.evicted) {
          entry.model.close();
        }
      }
    }
  }

  /** The model saved as {@code text}, parsed on first use in this JVM; close the use when done. */
  public static synchronized Use use(String text) {
    Entry e = cache.get(text);
    if (e == null) {
      if (scope == null || scope.isClosed()) {
        scope = ExecutorMemory.manager().openScope("memguard-spark-models");
      }
      try {
        e =
            new Entry(
                AutoFeatModel.load(
                    new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), scope));
      } catch (IOException ex) {
        throw new UncheckedIOException(
            "memguard-spark: the AutoFeat model's saved text does not load", ex);
      }
      cache.put(text, e);
      if (cache.size() > KEPT) {
        Iterator<Entry> eldest = cache.values().iterator();
        Entry old = eldest.next();
        eldest.remove();
        old.evicted = true;
        if (old.users == 0) {
          old.model.close();
        }
      }
    }
    e.users++;
    return new Use(e);
  }
}
