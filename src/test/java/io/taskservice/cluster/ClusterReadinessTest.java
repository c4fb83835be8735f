package io.taskservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.ops.Readiness;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The {@code cluster} readiness condition follows the node's membership. */
@ExtendWith(VertxExtension.class)
class ClusterReadinessTest {

  @Test
  void aNodeWhoseClusterMemberStopsIsNoLongerReady(Vertx vertx) throws Exception {
    Map<String, String> settings = new HashMap<>(LoopbackCluster.settings());
    settings.put("TASKS_ROLE", "http");
    Set<HazelcastInstance> before = Set.copyOf(Hazelcast.getAllHazelcastInstances());
    Node node = Node.start(TestDatabase.config(settings)).await(60, TimeUnit.SECONDS);
    try {
      node.startup().await(30, TimeUnit.SECONDS);
      Set<HazelcastInstance> mine = new HashSet<>(Hazelcast.getAllHazelcastInstances());
      mine.removeAll(before);
      assertThat(mine).hasSize(1);
      WebClient client = WebClient.create(vertx);
      assertThat(ready(client, node).getInteger("code")).isEqualTo(200);

      // the member goes as in a crash of Hazelcast alone: the process and its HTTP port stay
      mine.iterator().next().getLifecycleService().terminate();

      JsonObject notReady =
          Await.until(
                  vertx,
                  Duration.ofSeconds(20),
                  () -> readyFuture(client, node),
                  r -> r.getInteger("code") == 503)
              .await(30, TimeUnit.SECONDS);
      assertThat(notReady.getString("reason")).isEqualTo("cluster: left the cluster");
    } finally {
      node.close().otherwiseEmpty().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aMemberMergingBackAfterASplitIsNotReadyUntilItHasMerged() {
    Readiness readiness = new Readiness();
    Readiness.Condition member = readiness.addUp(Readiness.CLUSTER);
    MembershipWatch watch = new MembershipWatch(member);

    watch.stateChanged(new LifecycleEvent(LifecycleState.MERGING));
    assertThat(member.isUp()).isFalse();
    assertThat(member.reason()).contains("network split");
    watch.stateChanged(new LifecycleEvent(LifecycleState.MERGED));
    assertThat(member.isUp()).isTrue();
    watch.stateChanged(new LifecycleEvent(LifecycleState.MERGE_FAILED));
    assertThat(member.isUp()).isFalse();
    watch.stateChanged(new LifecycleEvent(LifecycleState.SHUTTING_DOWN));
    assertThat(member.reason()).isEqualTo("left the cluster");
  }

  private static JsonObject ready(WebClient client, Node node) throws Exception {
    return readyFuture(client, node).await(10, TimeUnit.SECONDS);
  }

  private static io.vertx.core.Future<JsonObject> readyFuture(WebClient client, Node node) {
    return client
        .get(node.port(), "127.0.0.1", "/health/ready")
        .send()
        .map(r -> r.bodyAsJsonObject().put("code", r.statusCode()));
  }
}
