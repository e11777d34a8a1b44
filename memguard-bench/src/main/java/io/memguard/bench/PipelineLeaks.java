package io.memguard.bench;

import io.memguard.core.MemoryManager;
import io.memguard.core.MemoryScope;
import io.memguard.core.Reservation;
import io.memguard.core.WeakRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The six leaks a Java ML pipeline has (issue 14, 7.1), each with the fix that removes it: one
 * pipeline step ({@link #step()}) retains {@code payloadBytes} the leaking way, or releases it the
 * fixed way. The classes below are what a leak report should name.
 */
final class PipelineLeaks implements AutoCloseable {

  /** The kinds of leak, by the name the {@code verify} scenario uses. */
  enum Kind {
    STATIC_COLLECTION("a static collection only ever added to", CachedRow.class, null),
    LISTENER("a listener registered per step and never removed", ProgressListener.class, null),
    THREAD_LOCAL("a ThreadLocal in a pool thread that is never removed", ScratchChunk.class, null),
    UNCLOSED_SCOPE(
        "a memguard scope opened per batch and never closed", BatchBuffer.class, "verify/pipeline"),
    STRONG_MODEL_MAP(
        "fitted models kept in a strong map instead of the weak registry",
        TrainedModel.class,
        null),
    DROPPED_RESERVATION("a reservation dropped without release", null, "verify/features");

    final String description;
    final Class<?> suspectClass;
    final String suspectScope;

    Kind(String description, Class<?> suspectClass, String suspectScope) {
      this.description = description;
      this.suspectClass = suspectClass;
      this.suspectScope = suspectScope;
    }

    /** The option value: {@code static-collection}, {@code thread-local}, ... */
    String option() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Kind ofOption(String option) {
      for (Kind k : values()) {
        if (k.option().equals(option)) {
          return k;
        }
      }
      throw new IllegalArgumentException(
          "unknown leak kind '" + option + "'; one of " + Arrays.toString(options()));
    }

    static String[] options() {
      return Arrays.stream(values()).map(Kind::option).toArray(String[]::new);
    }
  }

  /** A row of features cached by a pipeline. */
  static final class CachedRow {
    final long id;
    final double[] values;

    CachedRow(long id, int bytes) {
      this.id = id;
      this.values = new double[Math.max(1, bytes / 8)];
      this.values[0] = id;
    }
  }

  /** Listens to a pipeline's progress; keeps a buffer of its own. */
  static final class ProgressListener {
    final byte[] buffer;

    ProgressListener(int bytes) {
      this.buffer = new byte[bytes];
    }

    void onProgress(long step) {
      buffer[(int) (step % buffer.length)]++;
    }
  }

  /** Scratch memory a pool thread keeps between tasks. */
  static final class ScratchChunk {
    final byte[] bytes;

    ScratchChunk(int size) {
      this.bytes = new byte[size];
    }
  }

  /** A batch's working buffer, released by its scope's close. */
  static final class BatchBuffer {
    final float[] values;

    BatchBuffer(int bytes) {
      this.values = new float[Math.max(1, bytes / 4)];
    }

    void clear() {
      Arrays.fill(values, 0f);
    }
  }

  /** A fitted model: its coefficients. */
  static final class TrainedModel {
    final String name;
    final double[] coefficients;

    TrainedModel(String name, int bytes) {
      this.name = name;
      this.coefficients = new double[Math.max(1, bytes / 8)];
    }
  }

  /** Progress listeners of the pipeline: a plain list, as many event buses are. */
  private static final List<ProgressListener> LISTENERS = new ArrayList<>();

  private static final List<CachedRow> ROW_CACHE = new ArrayList<>();
  private static final Map<String, TrainedModel> MODELS = new HashMap<>();
  private static final ThreadLocal<List<ScratchChunk>> SCRATCH =
      ThreadLocal.withInitial(ArrayList::new);

  private final Kind kind;
  private final boolean fixed;
  private final int payloadBytes;
  private final MemoryScope pipeline;
  private final MemoryScope features;
  private final WeakRegistry<TrainedModel> registry;
  private final ExecutorService pool;
  private final Map<Long, CachedRow> boundedCache =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, CachedRow> eldest) {
          return size() > 64;
        }
      };
  private final List<Object> keepReachable = new ArrayList<>();
  private long steps;

  PipelineLeaks(Kind kind, boolean fixed, int payloadBytes, MemoryManager memory) {
    this.kind = kind;
    this.fixed = fixed;
    this.payloadBytes = payloadBytes;
    this.pipeline = memory.openScope("pipeline");
    this.features = memory.openScope("features");
    this.registry = memory.newWeakRegistry("models");
    this.pool = Executors.newFixedThreadPool(2, r -> daemon(r, "pipeline-pool"));
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** One step of the pipeline: retains its payload the leaking way, or not (the fix). */
  void step() throws Exception {
    long id = steps++;
    switch (kind) {
      case STATIC_COLLECTION -> {
        CachedRow row = new CachedRow(id, payloadBytes);
        if (fixed) {
          boundedCache.put(id, row); // the fix: a bounded cache, not an ever-growing list
        } else {
          ROW_CACHE.add(row);
        }
      }
      case LISTENER -> {
        ProgressListener listener = new ProgressListener(payloadBytes);
        synchronized (LISTENERS) {
          LISTENERS.add(listener);
          for (ProgressListener l : LISTENERS) {
            l.onProgress(id);
          }
          if (fixed) {
            LISTENERS.remove(listener); // the fix: unregister when the step is done
          }
        }
      }
      case THREAD_LOCAL -> {
        Future<?> done =
            pool.submit(
                () -> {
                  List<ScratchChunk> scratch = SCRATCH.get();
                  try {
                    scratch.add(new ScratchChunk(payloadBytes));
                  } finally {
                    if (fixed) {
                      SCRATCH.remove(); // the fix: pool threads outlive the task
                    }
                  }
                });
        done.get();
      }
      case UNCLOSED_SCOPE -> {
        MemoryScope batch = pipeline.openChild("batch-" + id);
        Reservation r = batch.reserve(payloadBytes);
        BatchBuffer buffer = new BatchBuffer(payloadBytes);
        batch.onClose("clear the batch buffer", buffer::clear);
        if (fixed) {
          r.close(); // the fix: try-with-resources for the reservation and the scope
          batch.close();
        } else {
          keepReachable.add(r);
        }
      }
      case STRONG_MODEL_MAP -> {
        TrainedModel model = new TrainedModel("model-" + id, payloadBytes);
        if (fixed) {
          registry.add(model, model.name); // weakly held: collected once the pipeline drops it
        } else {
          MODELS.put(model.name, model);
        }
      }
      case DROPPED_RESERVATION -> {
        if (fixed) {
          try (Reservation r = features.reserve(payloadBytes)) {
            consume(new byte[payloadBytes], r);
          }
        } else {
          Reservation r = features.reserve(payloadBytes);
          consume(new byte[payloadBytes], r); // and then neither closed nor kept
        }
      }
    }
  }

  private static long sink;

  private static void consume(byte[] block, Reservation r) {
    block[0] = (byte) r.bytes();
    sink += block[0];
  }

  /** Bytes the pipeline's scopes hold now. */
  long reservedBytes() {
    return pipeline.reservedBytes() + features.reservedBytes();
  }

  @Override
  public void close() {
    pool.shutdownNow();
    registry.close();
  }
}
