/**
 * Implementation of the monitor: the JVM sampler and its sources (MXBeans, GC notifications, OSHI,
 * cgroup files), trend statistics, class histograms, dispatchers and channels. Not API: anything
 * here may change without notice.
 */
package io.memguard.monitor.internal;
