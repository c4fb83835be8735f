package io.taskservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.taskservice.Await;
import io.taskservice.TestDatabase;
import io.taskservice.TestNodes;
import io.taskservice.app.Node;
import io.taskservice.ops.OpsTesting.Client;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * TASKS_CLUSTER_TLS_*: an {@code http} node and a {@code worker} node on loopback whose event bus
 * runs over TLS, each presenting its own certificate signed by the test CA ({@code
 * src/test/resources/tls}). The worker's sweep would take a task still new only after an hour: what
 * it processes, it got over the encrypted bus.
 */
@ExtendWith(VertxExtension.class)
class ClusterTlsTest {
  private final List<Node> nodes = new ArrayList<>();
  private int workerBus;

  @BeforeEach
  void emptyTable() {
    TestDatabase.reset();
  }

  @AfterEach
  void stopNodes() throws Exception {
    for (Node node : nodes) {
      node.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aTaskCreatedOnOneNodeIsProcessedByTheOtherOverTheTlsEventBus(Vertx vertx) throws Exception {
    Map<String, String> cluster = new HashMap<>(LoopbackCluster.settings());
    cluster.put("TASKS_CLUSTER_TLS_CA", fixture("cluster-ca.pem"));
    cluster.put("TASKS_DB_POOL_SIZE", "4");
    cluster.put("TASKS_PROCESSING_DELAY_MS", "200");
    workerBus = LoopbackCluster.freePort();
    Node http =
        start(
            cluster,
            Map.of(
                "TASKS_ROLE", "http",
                "TASKS_CLUSTER_TLS_CERT", fixture("cluster-node-a.pem"),
                "TASKS_CLUSTER_TLS_KEY", fixture("cluster-node-a.key")));
    start(
        cluster,
        Map.of(
            "TASKS_ROLE", "worker",
            "TASKS_CLUSTER_TLS_CERT", fixture("cluster-node-b.pem"),
            "TASKS_CLUSTER_TLS_KEY", fixture("cluster-node-b.key"),
            "TASKS_NEW_GRACE_MS", "3600000",
            "TASKS_CLUSTER_BUS_PORT", Integer.toString(workerBus)));

    long id = new Client(vertx, http.port()).create("Process report");

    Await.until(
        "the worker node finished the task",
        Duration.ofSeconds(30),
        () -> TestDatabase.count("SELECT count(*) FROM tasks WHERE status = 'done' AND id = " + id),
        n -> n == 1);
    // claimed on its message, not recovered by a sweep
    assertThat(
            TestDatabase.count(
                "SELECT count(*) FROM task_history WHERE event = 'claimed' AND task_id = " + id))
        .isOne();

    // the worker's bus port speaks TLS: a peer with a certificate the CA signed gets in...
    NetSocket admitted =
        vertx
            .createNetClient(tls().setKeyCertOptions(certificate("cluster-node-a")))
            .connect(workerBus, "127.0.0.1")
            .await(10, TimeUnit.SECONDS);
    assertThat(admitted.isSsl()).isTrue();
    admitted.close().await(10, TimeUnit.SECONDS);
    // ...one with a certificate the CA did not sign, or with none, is turned away
    assertThat(turnedAway(vertx, tls().setKeyCertOptions(certificate("self-signed"))))
        .as("a certificate of another authority")
        .isTrue();
    assertThat(turnedAway(vertx, tls())).as("no certificate").isTrue();
  }

  /** Connects to the worker's bus port; true once the connection failed or was closed on it. */
  private boolean turnedAway(Vertx vertx, NetClientOptions options) throws Exception {
    return vertx
        .createNetClient(options)
        .connect(workerBus, "127.0.0.1")
        .compose(
            socket -> {
              Promise<Boolean> closed = Promise.promise();
              socket.closeHandler(v -> closed.tryComplete(true));
              return closed.future();
            })
        .otherwise(true)
        .await(10, TimeUnit.SECONDS);
  }

  private Node start(Map<String, String> cluster, Map<String, String> overrides) throws Exception {
    Map<String, String> settings = new HashMap<>(cluster);
    settings.putAll(overrides);
    Node node = TestNodes.started(settings);
    nodes.add(node);
    return node;
  }

  /** A TLS client that trusts the test CA and, as the event bus does, checks no host name. */
  private static NetClientOptions tls() throws Exception {
    return new NetClientOptions()
        .setSsl(true)
        .setHostnameVerificationAlgorithm("")
        .setTrustOptions(new PemTrustOptions().addCertPath(fixture("cluster-ca.pem")));
  }

  private static PemKeyCertOptions certificate(String name) throws Exception {
    return name.equals("self-signed")
        ? new PemKeyCertOptions().setCertPath(fixture("cert.pem")).setKeyPath(fixture("key.pem"))
        : new PemKeyCertOptions()
            .setCertPath(fixture(name + ".pem"))
            .setKeyPath(fixture(name + ".key"));
  }

  private static String fixture(String name) throws Exception {
    return Path.of(ClusterTlsTest.class.getResource("/tls/" + name).toURI()).toString();
  }
}
