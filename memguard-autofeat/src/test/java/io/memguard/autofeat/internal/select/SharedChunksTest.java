package io.memguard.autofeat.internal.select;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class SharedChunksTest {

  private static final class Chunks extends SharedChunks {
    Chunks(int count) {
      super(count);
    }
  }

  @Test
  void claim_handsOutEachChunkOnce_inOrder_thenMinusOne() {
    Chunks chunks = new Chunks(3);
    List<Integer> claimed = new ArrayList<>();
    for (int c = chunks.claim(); c >= 0; c = chunks.claim()) {
      claimed.add(c);
      assertThat(chunks.finished(null)).isEqualTo(claimed.size());
    }
    assertThat(claimed).containsExactly(0, 1, 2);
    assertThat(chunks.open()).isFalse();
    assertThat(chunks.closeAndAwait()).isNull();
  }

  @Test
  void failure_stopsFurtherClaims_andIsReturnedToTheRunsThread() {
    Chunks chunks = new Chunks(5);
    assertThat(chunks.claim()).isZero();
    assertThat(chunks.claim()).isOne();
    IllegalStateException boom = new IllegalStateException("chunk 1 failed");
    assertThat(chunks.finished(boom)).isZero();
    assertThat(chunks.open()).isFalse();
    assertThat(chunks.claim()).isEqualTo(-1);
    assertThat(chunks.finished(null)).isOne();
    assertThat(chunks.closeAndAwait()).isSameAs(boom);
  }

  @Test
  void closeAndAwait_waitsForAChunkClaimedOnAnotherThread_andStopsFurtherClaims() throws Exception {
    Chunks chunks = new Chunks(4);
    assertThat(chunks.claim()).isZero();
    assertThat(chunks.finished(null)).isOne();
    assertThat(chunks.claim()).isOne();
    java.util.concurrent.atomic.AtomicBoolean helperDone =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicBoolean helperDoneWhenReturned =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread closer =
        new Thread(
            () -> {
              chunks.closeAndAwait();
              helperDoneWhenReturned.set(helperDone.get());
            });
    closer.start();
    while (closer.getState() != Thread.State.WAITING
        && closer.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    assertThat(chunks.claim()).isEqualTo(-1);
    // the chunk claimed above (as if on a helper thread) finishes while the closer waits
    helperDone.set(true);
    assertThat(chunks.finished(null)).isEqualTo(2);
    closer.join();
    assertThat(helperDoneWhenReturned).isTrue();
  }

  @Test
  void board_handsOutPostedChunksWithClaimsLeft_andNullOnceNoRunIsLeft() throws Exception {
    HelpBoard<Chunks> board = new HelpBoard<>(2);
    Chunks first = new Chunks(1);
    Chunks second = new Chunks(2);
    board.post(first);
    board.post(second);
    assertThat(board.await(() -> false)).isSameAs(first);
    first.claim();
    assertThat(board.await(() -> false)).isSameAs(second);
    board.withdraw(second);
    board.runEnded();
    board.runEnded();
    assertThat(board.await(() -> false)).isNull();
  }

  @Test
  void board_stopsAHelperWhenTheSelectionFailed() throws Exception {
    HelpBoard<Chunks> board = new HelpBoard<>(3);
    board.post(new Chunks(2));
    assertThat(board.await(() -> true)).isNull();
  }

  @ParameterizedTest(name = "released by {0}")
  @ValueSource(strings = {"post", "runEnded", "wake"})
  void board_helperWaitingForWork_isReleasedByAPostARunEndingOrAFailure(String event)
      throws Exception {
    HelpBoard<Chunks> board = new HelpBoard<>(1);
    Chunks chunks = new Chunks(2);
    java.util.concurrent.atomic.AtomicBoolean failed =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<Object> got =
        new java.util.concurrent.atomic.AtomicReference<>("nothing yet");
    Thread helper =
        new Thread(
            () -> {
              try {
                got.set(board.await(failed::get));
              } catch (InterruptedException e) {
                got.set(e);
              }
            });
    helper.start();
    while (helper.getState() != Thread.State.WAITING
        && helper.getState() != Thread.State.TERMINATED) {
      Thread.onSpinWait();
    }
    assertThat(got.get()).isEqualTo("nothing yet");
    switch (event) {
      case "post" -> board.post(chunks);
      case "runEnded" -> board.runEnded();
      default -> {
        failed.set(true);
        board.wake();
      }
    }
    helper.join();
    assertThat(got.get()).isEqualTo(event.equals("post") ? chunks : null);
  }
}
