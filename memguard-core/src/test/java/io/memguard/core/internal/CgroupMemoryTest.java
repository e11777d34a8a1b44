package io.memguard.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CgroupMemoryTest {
  @TempDir Path tmp;

  private Path write(String rel, String content) throws IOException {
    Path p = tmp.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content);
    return p;
  }

  @Test
  void v2_readsOwnCgroupAndTakesTheSmallestAncestorLimit() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "cpu memory\n");
    write("cg/memory.max", "max\n");
    write("cg/kubepods/memory.max", "536870912\n");
    write("cg/kubepods/pod1/memory.max", "max\n");
    write("cg/kubepods/pod1/memory.current", "123456\n");
    Path proc = write("proc-cgroup", "0::/kubepods/pod1\n");
    CgroupMemory cg = CgroupMemory.detect(root, proc);
    assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V2);
    CgroupMemory.Reading r = cg.read();
    assertThat(r.limitBytes()).isEqualTo(536870912L);
    assertThat(r.usageBytes()).isEqualTo(123456L);
  }

  @Test
  void theWorkingSet_leavesOutTheInactiveFileCache() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "memory\n");
    write("cg/memory.max", "1073741824\n");
    write("cg/memory.current", "1000000000\n"); // at the limit, mostly cache
    write(
        "cg/memory.stat",
        "anon 200000000\nfile 790000000\nactive_file 90000000\ninactive_file 700000000\n");
    CgroupMemory.Reading r = CgroupMemory.detect(root, write("proc", "0::/\n")).read();
    assertThat(r.usageBytes()).isEqualTo(1_000_000_000L);
    assertThat(r.inactiveFileBytes()).isEqualTo(700_000_000L);
    assertThat(r.workingSetBytes()).isEqualTo(300_000_000L);

    write("cg/memory/memory.usage_in_bytes", "5000\n");
    Path v1 = tmp.resolve("v1");
    write("v1/memory/memory.limit_in_bytes", "8192\n");
    write("v1/memory/memory.usage_in_bytes", "5000\n");
    write("v1/memory/memory.stat", "cache 4000\ninactive_file 1\ntotal_inactive_file 3000\n");
    CgroupMemory.Reading r1 = CgroupMemory.detect(v1, tmp.resolve("missing")).read();
    assertThat(r1.workingSetBytes()).isEqualTo(2000);
    assertThat(new CgroupMemory.Reading(CgroupMemory.Version.V2, -1, 42).workingSetBytes())
        .isEqualTo(42);
  }

  @Test
  void v2_unlimitedIsMinusOne() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "memory\n");
    write("cg/memory.max", "max\n");
    write("cg/memory.current", "42\n");
    CgroupMemory cg = CgroupMemory.detect(root, write("proc", "0::/\n"));
    assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(CgroupMemory.Version.V2, -1, 42));
  }

  @Test
  void v2_namespaceRoot_whenOwnPathIsNotMountedFallsBackToRoot() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "memory\n");
    write("cg/memory.max", "1073741824\n");
    write("cg/memory.current", "1000\n");
    CgroupMemory cg = CgroupMemory.detect(root, write("proc", "0::/docker/abc\n"));
    assertThat(cg.directory()).isEqualTo(root);
    assertThat(cg.read().limitBytes()).isEqualTo(1073741824L);
  }

  @Test
  void v1_readsMemoryControllerAndTreatsTheHugeSentinelAsNoLimit() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
    write("cg/memory/job/memory.limit_in_bytes", "268435456\n");
    write("cg/memory/job/memory.usage_in_bytes", "2000\n");
    Path proc = write("proc", "12:pids:/\n4:memory:/job\n1:name=systemd:/\n");
    CgroupMemory cg = CgroupMemory.detect(root, proc);
    assertThat(cg.version()).isEqualTo(CgroupMemory.Version.V1);
    assertThat(cg.read())
        .isEqualTo(new CgroupMemory.Reading(CgroupMemory.Version.V1, 268435456L, 2000));
  }

  @Test
  void v1_unlimitedEverywhere() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/memory/memory.limit_in_bytes", "9223372036854771712\n");
    write("cg/memory/memory.usage_in_bytes", "77\n");
    CgroupMemory cg = CgroupMemory.detect(root, tmp.resolve("missing"));
    assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(CgroupMemory.Version.V1, -1, 77));
  }

  @Test
  void none_whenNoCgroupFilesystem() throws IOException {
    CgroupMemory cg = CgroupMemory.detect(tmp.resolve("nothing"), tmp.resolve("missing"));
    assertThat(cg.version()).isEqualTo(CgroupMemory.Version.NONE);
    assertThat(cg.read()).isEqualTo(new CgroupMemory.Reading(CgroupMemory.Version.NONE, -1, -1));
  }

  @Test
  void garbageInALimitFile_failsWithTheFileName() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "memory\n");
    write("cg/memory.max", "lots\n");
    CgroupMemory cg = CgroupMemory.detect(root, write("proc", "0::/\n"));
    assertThatThrownBy(cg::read)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("memory.max")
        .hasMessageContaining("lots");
  }

  @Test
  void relativePath_ignoresPathTraversal() throws IOException {
    Path root = tmp.resolve("cg");
    write("cg/cgroup.controllers", "memory\n");
    CgroupMemory cg = CgroupMemory.detect(root, write("proc", "0::/../../etc\n"));
    assertThat(cg.directory()).isEqualTo(root);
  }

  @Test
  void detect_realSystem_neverThrows() throws IOException {
    CgroupMemory cg = CgroupMemory.detect();
    CgroupMemory.Reading r = cg.read();
    assertThat(r.version()).isEqualTo(cg.version());
  }
}
