package io.taskservice.changefeed;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.ApiClient;
import io.taskservice.TestDatabase;
import io.taskservice.app.Node;
import io.taskservice.changefeed.SseClient.Event;
import io.taskservice.cluster.LoopbackCluster;
import io.taskservice.config.AppConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The event stream across a cluster: two http nodes and a worker node. A change committed by the
 * worker reaches the streams of both http nodes; a client whose node was stopped resumes on the
 * other one from its last event id and misses nothing.
 */
class ClusterEventsTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private final List<Node> nodes = new ArrayList<>();
  private Map<String, String> cluster;

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
    cluster = LoopbackCluster.settings();
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (Node node : nodes) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  private Node start(String role) throws Exception {
    Map<String, String> env = new HashMap<>(cluster);
    env.put("TASKS_ROLE", role);
    env.put("TASKS_DB_POOL_SIZE", "4");
    env.put("TASKS_PROCESSING_DELAY_MS", "300");
    AppConfig config = TestDatabase.config(env);
    Node node = Node.start(config).await(60, TimeUnit.SECONDS);
    nodes.add(node);
    node.startup().await(60, TimeUnit.SECONDS);
    return node;
  }

  private static Set<String> lifecycle(List<Long> ids) {
    Set<String> keys = new LinkedHashSet<>();
    for (long id : ids) {
      keys.add(id + ":new");
      keys.add(id + ":processing");
    }
    return keys;
  }

  private static boolean allFinal(List<Event> events, List<Long> ids) {
    Set<Long> finished =
        events.stream()
            .filter(e -> e.type().equals("task"))
            .map(Event::task)
            .filter(t -> t.getString("result") != null)
            .map(t -> t.getLong("id"))
            .collect(Collectors.toSet());
    return finished.containsAll(ids);
  }

  @Test
  void changesReachEveryHttpNodeAndAResumeOnTheOtherNodeMissesNothing() throws Exception {
    Node first = start("http");
    Node second = start("http");
    start("worker");
    ApiClient viaFirst = new ApiClient(first.vertx(), first.port());
    ApiClient viaSecond = new ApiClient(second.vertx(), second.port());

    List<Long> before = new ArrayList<>();
    List<Event> seenOnFirst;
    try (SseClient onFirst = SseClient.open(first.vertx(), first.port(), "/api/v1/events/");
        SseClient onSecond = SseClient.open(second.vertx(), second.port(), "/api/v1/events/")) {
      for (String title : List.of("ab", "abc", "abcd")) {
        before.add(viaFirst.create(title).getLong("id"));
      }
      // processed by the worker node, seen by both http nodes
      onSecond.awaitEvents("every change on the second node", WITHIN, e -> allFinal(e, before));
      seenOnFirst =
          onFirst.awaitEvents("every change on the first node", WITHIN, e -> allFinal(e, before));
      assertThat(onSecond.keys()).containsAll(lifecycle(before));
    }
    assertThat(seenOnFirst.stream().map(Event::key).toList()).containsAll(lifecycle(before));
    String lastOnFirst = seenOnFirst.get(seenOnFirst.size() - 1).id();

    // the first node goes away; more happens while the client is disconnected
    first.close().await(30, TimeUnit.SECONDS);
    nodes.remove(first);
    List<Long> meanwhile = new ArrayList<>();
    for (String title : List.of("ef", "efg")) {
      meanwhile.add(viaSecond.create(title).getLong("id"));
    }
    try (SseClient resumed =
        SseClient.open(
            second.vertx(),
            second.port(),
            "/api/v1/events/",
            Map.of("Last-Event-ID", lastOnFirst))) {
      long after = viaSecond.create("later").getLong("id");
      List<Long> expected = new ArrayList<>(meanwhile);
      expected.add(after);
      List<Event> replay =
          resumed.awaitEvents(
              "the changes made while disconnected, then live ones",
              WITHIN,
              e -> allFinal(e, expected));
      assertThat(replay).extracting(Event::type).doesNotContain("reset");
      Set<String> keys = new HashSet<>(resumed.keys());
      assertThat(keys).containsAll(lifecycle(expected));
      // nothing of before the cursor comes again except around the resume point
      assertThat(keys).doesNotContain(before.get(0) + ":new");
    }
  }
}
