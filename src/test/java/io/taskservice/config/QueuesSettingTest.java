package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.domain.ConsumedQueues;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code TASKS_QUEUES}: what a worker node consumes; a typo stops start-up naming the setting. */
class QueuesSettingTest {
  private static ConsumedQueues queues(String text) {
    return AppConfig.load(Map.of("TASKS_QUEUES", text)).queues();
  }

  @Test
  void namedQueuesWithLimitsAndOneSharedBucketForTheRest() {
    ConsumedQueues q = queues(" reports=50 , default,*=20 ");
    assertThat(q.named()).containsExactly(Map.entry("reports", 50), Map.entry("default", 10_000));
    assertThat(q.others()).isEqualTo(OptionalInt.of(20));
    assertThat(q.bucket("reports")).isEqualTo("reports");
    assertThat(q.bucket("emails")).isEqualTo("*");
    assertThat(q.limit("*")).isEqualTo(20);
    assertThat(q.consumes("anything")).isTrue();
    assertThat(queues("reports").consumes("default")).isFalse();
    assertThat(AppConfig.load(Map.of()).queues()).isEqualTo(ConsumedQueues.EVERY_QUEUE);
    assertThat(ConsumedQueues.parse(q.format())).isEqualTo(q);
  }

  @Test
  void typosStopStartUpWithOneLineNamingTheSetting() {
    assertThatThrownBy(() -> queues("Reports=5"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("TASKS_QUEUES must name valid queues");
    assertThatThrownBy(() -> queues("a=0")).hasMessageStartingWith("TASKS_QUEUES must give each");
    assertThatThrownBy(() -> queues("a=100001"))
        .hasMessageStartingWith("TASKS_QUEUES must give each");
    assertThatThrownBy(() -> queues("a=x")).hasMessageStartingWith("TASKS_QUEUES must give each");
    assertThatThrownBy(() -> queues("a,b,a")).hasMessageStartingWith("TASKS_QUEUES must name each");
    assertThatThrownBy(() -> queues("*,*=5")).hasMessageStartingWith("TASKS_QUEUES must name `*`");
    assertThatThrownBy(() -> queues("a,,b")).hasMessageStartingWith("TASKS_QUEUES must name valid");
    assertThatThrownBy(() -> queues(" ")).hasMessageStartingWith("TASKS_QUEUES must name at least");
  }
}
