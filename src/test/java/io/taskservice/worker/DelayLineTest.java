package io.taskservice.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.domain.Claim;
import io.taskservice.domain.ClaimReason;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class DelayLineTest {
  private static Claim claim(long id) {
    return new Claim(id, "t", "default", UUID.randomUUID(), ClaimReason.MESSAGE);
  }

  @Test
  void everyTaskIsReleasedInOrderNoSoonerThanItsDelay(Vertx vertx, VertxTestContext test) {
    long delayMs = 200;
    List<Long> released = new ArrayList<>();
    long[] addedAt = new long[30];
    vertx.runOnContext(
        start -> {
          DelayLine line =
              new DelayLine(
                  vertx,
                  delayMs,
                  c -> {
                    long waited = (System.nanoTime() - addedAt[(int) c.taskId()]) / 1_000_000;
                    test.verify(() -> assertThat(waited).isGreaterThanOrEqualTo(delayMs - 1));
                    released.add(c.taskId());
                    if (released.size() == 30) {
                      test.verify(
                          () ->
                              assertThat(released).isSorted().hasSize(30).doesNotHaveDuplicates());
                      test.completeNow();
                    }
                  });
          // three waves 50 ms apart, as claims arrive in batches
          for (int wave = 0; wave < 3; wave++) {
            int first = wave * 10;
            vertx.setTimer(
                1 + wave * 50L,
                t -> {
                  for (int i = first; i < first + 10; i++) {
                    addedAt[i] = System.nanoTime();
                    line.add(claim(i));
                  }
                });
          }
        });
  }
}
