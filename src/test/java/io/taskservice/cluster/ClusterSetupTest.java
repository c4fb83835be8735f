package io.taskservice.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.taskservice.config.AppConfig;
import io.taskservice.config.ConfigException;
import io.vertx.core.eventbus.EventBusOptions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClusterSetupTest {

  private static AppConfig config(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("TASKS_CLUSTER", "true");
    // a cluster needs a shared database; these tests only build options and never connect
    env.put("TASKS_DB_URL", "postgresql://postgres@db.invalid:5432/tasks");
    env.putAll(overrides);
    return AppConfig.load(env);
  }

  @Test
  void membersMeanTcpDiscoveryFromTheConfiguredFirstPortOn() {
    Config hz =
        ClusterSetup.hazelcastConfig(
            config(
                Map.of(
                    "TASKS_CLUSTER_MEMBERS", "10.0.0.1, 10.0.0.2:5801",
                    "TASKS_CLUSTER_PORT", "6000",
                    "TASKS_CLUSTER_NAME", "staging")));

    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1", "10.0.0.2:5801");
    assertThat(join.getTcpIpConfig().getConnectionTimeoutSeconds())
        .as("a listed member that does not answer is given up after")
        .isEqualTo(1);
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(6000);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isTrue();
    assertThat(hz.getClusterName()).isEqualTo("staging");
    // the maps Vert.x keeps its subscriptions in come from the vertx-hazelcast configuration
    assertThat(hz.getMultiMapConfigs()).containsKey("__vertx.subs");
  }

  @Test
  void noMembersMeansMulticast() {
    JoinConfig join = ClusterSetup.hazelcastConfig(config(Map.of())).getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
  }

  @Test
  void multicastAndTcpCanBeNamed() {
    JoinConfig multicast =
        ClusterSetup.hazelcastConfig(config(Map.of("TASKS_CLUSTER_DISCOVERY", "multicast")))
            .getNetworkConfig()
            .getJoin();
    assertThat(multicast.getMulticastConfig().isEnabled()).isTrue();
    assertThat(multicast.getTcpIpConfig().isEnabled()).isFalse();
    JoinConfig tcp =
        ClusterSetup.hazelcastConfig(
                config(
                    Map.of("TASKS_CLUSTER_DISCOVERY", "TCP", "TASKS_CLUSTER_MEMBERS", "10.0.0.1")))
            .getNetworkConfig()
            .getJoin();
    assertThat(tcp.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(tcp.getTcpIpConfig().getMembers()).containsExactly("10.0.0.1");
    assertThat(tcp.getMulticastConfig().isEnabled()).isFalse();
    assertThat(tcp.getKubernetesConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesDiscoveryLooksUpTheHeadlessServiceByDnsAlone() {
    JoinConfig join =
        ClusterSetup.hazelcastConfig(
                config(
                    Map.of(
                        "TASKS_CLUSTER_DISCOVERY", "kubernetes",
                        "TASKS_CLUSTER_SERVICE_DNS", "tasks-cluster.tasks.svc.cluster.local",
                        "TASKS_CLUSTER_PORT", "5801")))
            .getNetworkConfig()
            .getJoin();
    KubernetesConfig kubernetes = join.getKubernetesConfig();
    assertThat(kubernetes.isEnabled()).isTrue();
    // DNS lookup mode only: no namespace, service name or label, which would need the API
    assertThat(kubernetes.getProperties())
        .containsOnly(
            entry("service-dns", "tasks-cluster.tasks.svc.cluster.local"),
            entry("service-dns-timeout", "5"),
            entry("service-port", "5801"));
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
  }

  @Test
  void kubernetesDiscoveryWaitsForTheServiceToNameOtherPodsBeforeJoining() {
    // at 0 Hazelcast's discovery joiner never asks DNS before the first join
    Config hz =
        ClusterSetup.hazelcastConfig(
            config(
                Map.of(
                    "TASKS_CLUSTER_DISCOVERY", "kubernetes",
                    "TASKS_CLUSTER_SERVICE_DNS", "tasks-cluster")));
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("3");
  }

  @Test
  void membersFoundThroughTheServiceDnsNameFormOneCluster() {
    // "localhost" stands for the headless Service: its DNS answer is this machine's address, on
    // which the first member listens on the cluster port; the second binds the next port
    Map<String, String> settings = new HashMap<>();
    settings.put("TASKS_CLUSTER_NAME", "test-dns-" + UUID.randomUUID());
    settings.put("TASKS_CLUSTER_HOST", "127.0.0.1");
    settings.put("TASKS_CLUSTER_PORT", Integer.toString(LoopbackCluster.freePort()));
    settings.put("TASKS_CLUSTER_DISCOVERY", "kubernetes");
    settings.put("TASKS_CLUSTER_SERVICE_DNS", "localhost");
    Config hz = ClusterSetup.hazelcastConfig(config(settings));
    HazelcastInstance first = Hazelcast.newHazelcastInstance(hz);
    try {
      HazelcastInstance second =
          Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(config(settings)));
      try {
        assertThat(second.getCluster().getMembers())
            .extracting(member -> member.getAddress().getPort())
            .contains(first.getCluster().getLocalMember().getAddress().getPort());
        assertThat(first.getCluster().getMembers()).hasSize(2);
      } finally {
        second.getLifecycleService().terminate();
      }
    } finally {
      first.getLifecycleService().terminate();
    }
  }

  @Test
  void theClusterHostIsBoundAndAnnouncedByHazelcastAndTheEventBus() {
    AppConfig config = config(Map.of("TASKS_CLUSTER_HOST", "127.0.0.1"));
    Config hz = ClusterSetup.hazelcastConfig(config);
    assertThat(hz.getProperty("hazelcast.local.localAddress")).isEqualTo("127.0.0.1");
    assertThat(hz.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");

    EventBusOptions eventBus = new EventBusOptions();
    ClusterSetup.configureEventBus(eventBus, config);
    assertThat(eventBus.getHost()).isEqualTo("127.0.0.1");
    assertThat(eventBus.getClusterPublicHost()).isEqualTo("127.0.0.1");
    assertThat(eventBus.getPort()).isZero();
  }

  @Test
  void theEventBusPortIsFreeUnlessFixed() {
    EventBusOptions free = new EventBusOptions();
    ClusterSetup.configureEventBus(free, config(Map.of()));
    assertThat(free.getPort()).isZero();
    EventBusOptions fixed = new EventBusOptions();
    ClusterSetup.configureEventBus(fixed, config(Map.of("TASKS_CLUSTER_BUS_PORT", "17001")));
    assertThat(fixed.getPort()).isEqualTo(17001);
  }

  @Test
  void withoutAClusterHostHazelcastPicksTheAddressAndTheEventBusFollowsIt() {
    AppConfig config = config(Map.of());
    assertThat(ClusterSetup.hazelcastConfig(config).getProperty("hazelcast.local.localAddress"))
        .isNull();
    EventBusOptions eventBus = new EventBusOptions();
    ClusterSetup.configureEventBus(eventBus, config);
    assertThat(eventBus.getHost()).isNull();
  }

  @Test
  void deadMembersAreDroppedWithinSecondsAndJoiningDoesNotWait() {
    Config hz = ClusterSetup.hazelcastConfig(config(Map.of()));
    assertThat(hz.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("4");
    assertThat(hz.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("1");
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
  }

  @Test
  void membersThatProcessTasksSaySo() {
    for (String role : List.of("worker", "all")) {
      assertThat(
              ClusterSetup.hazelcastConfig(config(Map.of("TASKS_ROLE", role)))
                  .getMemberAttributeConfig()
                  .getAttributes())
          .as(role)
          .containsEntry(Membership.PROCESSES, "true");
    }
    assertThat(
            ClusterSetup.hazelcastConfig(config(Map.of("TASKS_ROLE", "http")))
                .getMemberAttributeConfig()
                .getAttributes())
        .doesNotContainKey(Membership.PROCESSES);
  }

  @Test
  void aMemberIsAHostOrAHostAndPort() {
    assertThat(ClusterSetup.member("node-1")).isEqualTo("node-1");
    assertThat(ClusterSetup.member("node-1:5702")).isEqualTo("node-1:5702");
    assertThat(ClusterSetup.member("[::1]:5701")).isEqualTo("[::1]:5701");
    assertThatThrownBy(() -> ClusterSetup.member("node-1:http"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TASKS_CLUSTER_MEMBERS");
    assertThatThrownBy(() -> ClusterSetup.member(":5701")).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> ClusterSetup.member("node-1:70000"))
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void aClusteredNodeNeedsAClusterName() {
    assertThatThrownBy(() -> config(Map.of("TASKS_CLUSTER_NAME", " ")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("TASKS_CLUSTER_NAME");
  }
}
