package io.memguard.core;

/**
 * The work of a task run by {@link ResourceAllocator#run(TaskRequest, GrantedTask)}: it receives
 * its {@link Grant}, reserves in the grant's scope, and checks the grant's {@link
 * CancellationToken} at its safe points.
 *
 * @param <T> what the task returns
 * @since 0.1.0
 */
@FunctionalInterface
public interface GrantedTask<T> {

  /**
   * Does the work within the grant.
   *
   * @throws Exception anything; it becomes a FAILED outcome ({@link TaskStoppedException}: STOPPED)
   */
  T run(Grant grant) throws Exception;
}
