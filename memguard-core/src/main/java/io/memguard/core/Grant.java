package io.memguard.core;

/**
 * Memory granted to one task by a {@link ResourceAllocator}: a child scope of the allocator's pool
 * whose limit is the granted bytes, and a {@link CancellationToken} through which the task can be
 * asked to stop at its next safe point. Close it when the task ends: its scope closes (reporting
 * anything still reserved as a leak) and its bytes go back to the pool. Closing twice does nothing.
 *
 * <p>Fair sharing happens between batches: {@link #batchSize} rebalances before it sizes, so a task
 * that sizes its batches through the grant shrinks to the fair share while others wait (never below
 * what it holds) and grows towards its desired bytes when nobody waits. A task that does not work
 * in batches can call {@link #rebalance()} at its own safe points.
 *
 * <pre>{@code
 * try (Grant grant = allocator.acquire(TaskRequest.named("fit").minBytes(64 << 20))) {
 *   while (hasMoreRows()) {
 *     BatchDecision d = grant.batchSize(bytesPerRow, 1, 10_000);
 *     try (Reservation batch = grant.scope().reserve(d.batchSize() * bytesPerRow)) {
 *       process(d.batchSize());
 *     }
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 *
 * @since 0.1.0
 */
public final class Grant implements AutoCloseable {
  private final ResourceAllocator allocator;
  private final TaskRequest request;
  private final DefaultScope scope;
  private final long sequence;
  private final CancellationToken cancellation = new CancellationToken();
  private long grantedBytes; // guarded by the allocator's lock
  private volatile boolean closed;

  Grant(
      ResourceAllocator allocator,
      TaskRequest request,
      DefaultScope scope,
      long grantedBytes,
      long sequence) {
    this.allocator = allocator;
    this.request = request;
    this.scope = scope;
    this.grantedBytes = grantedBytes;
    this.sequence = sequence;
  }

  /** The task's name. */
  public String taskName() {
    return request.name();
  }

  /** The task's priority. */
  public int priority() {
    return request.priority();
  }

  /** The request the grant answers. */
  public TaskRequest request() {
    return request;
  }

  /** The order of admission: lower was admitted earlier. */
  public long sequence() {
    return sequence;
  }

  /** The scope the task reserves in; its limit is the granted bytes. */
  public MemoryScope scope() {
    return scope;
  }

  /** The token to check at safe points; the emergency guard cancels it to stop the task. */
  public CancellationToken cancellation() {
    return cancellation;
  }

  /** The bytes granted now. */
  public long grantedBytes() {
    return Math.max(0, scope.limitBytes());
  }

  long grantedBytesLocked() {
    return grantedBytes;
  }

  void setGrantedLocked(long bytes) {
    grantedBytes = bytes;
    scope.setLimit(bytes);
  }

  /**
   * Adjusts the grant to the current competition; call it between batches. Shrinks to the fair
   * share while others wait (never below what the scope holds), or grows towards the desired bytes
   * when nobody waits.
   *
   * @return the bytes granted afterwards
   */
  public long rebalance() {
    return allocator.rebalance(this).grantedBytes();
  }

  ResourceAllocator.Rebalance rebalanceDetailed() {
    return allocator.rebalance(this);
  }

  /**
   * Rebalances the grant ({@link #rebalance()}), then returns the largest batch that fits what this
   * grant's scope has available; see {@link ResourceAllocator#sizeBatch}. A task that sizes each
   * batch through its grant therefore shares the pool fairly without calling {@code rebalance()}
   * itself: it gives memory back while others wait and takes more when nobody does.
   */
  public BatchDecision batchSize(long bytesPerItem, int minBatch, int maxBatch) {
    allocator.rebalance(this);
    return allocator.sizeBatch(
        taskName(), scope.availableBytes(), bytesPerItem, minBatch, maxBatch);
  }

  /** True once closed. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Closes the task's scope, then returns the bytes to the pool and wakes waiting tasks.
   *
   * @throws CleanupException if a cleanup action of the scope threw; the grant is still returned
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      scope.close();
    } finally {
      allocator.release(this);
    }
  }

  @Override
  public String toString() {
    return "Grant["
        + request.name()
        + ", priority="
        + request.priority()
        + ", granted="
        + MemorySize.format(grantedBytes())
        + ", reserved="
        + MemorySize.format(scope.reservedBytes())
        + (cancellation.isCancelled() ? ", stop requested" : "")
        + "]";
  }
}
