package io.taskservice.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.taskservice.config.AppConfig.Discovery;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * TASKS_CLUSTER_DISCOVERY and TASKS_CLUSTER_SERVICE_DNS: each mode takes exactly its own settings,
 * and a mistake stops start-up with a message naming the setting to fix.
 */
class ClusterDiscoverySettingTest {
  private static final String DNS = "task-service-cluster.tasks.svc.cluster.local";

  private static AppConfig load(Map<String, String> env) {
    return AppConfig.load(env);
  }

  @Test
  void autoIsTcpWithMembersAndMulticastWithout() {
    assertThat(load(Map.of()).clusterDiscovery()).isEqualTo(Discovery.MULTICAST);
    assertThat(load(Map.of("TASKS_CLUSTER_MEMBERS", "a,b")).clusterDiscovery())
        .isEqualTo(Discovery.TCP);
    assertThat(
            load(Map.of("TASKS_CLUSTER_DISCOVERY", "auto", "TASKS_CLUSTER_MEMBERS", "a"))
                .clusterDiscovery())
        .isEqualTo(Discovery.TCP);
  }

  @Test
  void eachModeCanBeNamedInAnyCase() {
    assertThat(load(Map.of("TASKS_CLUSTER_DISCOVERY", "Multicast")).clusterDiscovery())
        .isEqualTo(Discovery.MULTICAST);
    assertThat(
            load(Map.of("TASKS_CLUSTER_DISCOVERY", "tcp", "TASKS_CLUSTER_MEMBERS", "a"))
                .clusterDiscovery())
        .isEqualTo(Discovery.TCP);
    AppConfig kubernetes =
        load(Map.of("TASKS_CLUSTER_DISCOVERY", "KUBERNETES", "TASKS_CLUSTER_SERVICE_DNS", DNS));
    assertThat(kubernetes.clusterDiscovery()).isEqualTo(Discovery.KUBERNETES);
    assertThat(kubernetes.clusterServiceDns()).isEqualTo(DNS);
  }

  @Test
  void anUnknownModeNamesTheModes() {
    assertThatThrownBy(() -> load(Map.of("TASKS_CLUSTER_DISCOVERY", "k8s")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "TASKS_CLUSTER_DISCOVERY must be one of [auto, multicast, tcp, kubernetes], got 'k8s'");
  }

  @Test
  void kubernetesNeedsTheServiceDnsName() {
    assertThatThrownBy(() -> load(Map.of("TASKS_CLUSTER_DISCOVERY", "kubernetes")))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(
            "TASKS_CLUSTER_SERVICE_DNS must be set when TASKS_CLUSTER_DISCOVERY is kubernetes");
  }

  @Test
  void tcpNeedsMembers() {
    assertThatThrownBy(() -> load(Map.of("TASKS_CLUSTER_DISCOVERY", "tcp")))
        .isInstanceOf(ConfigException.class)
        .hasMessage("TASKS_CLUSTER_MEMBERS must not be empty when TASKS_CLUSTER_DISCOVERY is tcp");
  }

  @Test
  void aServiceDnsNameWithAnotherModeIsAMistake() {
    assertThatThrownBy(() -> load(Map.of("TASKS_CLUSTER_SERVICE_DNS", DNS)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "TASKS_CLUSTER_SERVICE_DNS is only used with TASKS_CLUSTER_DISCOVERY=kubernetes, not"
                + " auto, here multicast");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "TASKS_CLUSTER_DISCOVERY",
                        "tcp",
                        "TASKS_CLUSTER_MEMBERS",
                        "a",
                        "TASKS_CLUSTER_SERVICE_DNS",
                        DNS)))
        .hasMessage(
            "TASKS_CLUSTER_SERVICE_DNS is only used with TASKS_CLUSTER_DISCOVERY=kubernetes, not"
                + " tcp");
  }

  @Test
  void membersWithAnotherModeAreAMistake() {
    assertThatThrownBy(
            () ->
                load(Map.of("TASKS_CLUSTER_DISCOVERY", "multicast", "TASKS_CLUSTER_MEMBERS", "a")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "TASKS_CLUSTER_MEMBERS is only used with TASKS_CLUSTER_DISCOVERY=tcp, not multicast");
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "TASKS_CLUSTER_DISCOVERY", "kubernetes",
                        "TASKS_CLUSTER_SERVICE_DNS", DNS,
                        "TASKS_CLUSTER_MEMBERS", "a")))
        .hasMessage(
            "TASKS_CLUSTER_MEMBERS is only used with TASKS_CLUSTER_DISCOVERY=tcp, not kubernetes");
  }

  @ParameterizedTest
  @ValueSource(strings = {"localhost", "tasks-cluster", DNS, "tasks.default.svc.cluster.local."})
  void aServiceDnsNameIsADnsName(String name) {
    assertThat(
            load(Map.of("TASKS_CLUSTER_DISCOVERY", "kubernetes", "TASKS_CLUSTER_SERVICE_DNS", name))
                .clusterServiceDns())
        .isEqualTo(name);
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://tasks", "tasks_cluster", "-tasks", "tasks..svc", "tasks:5701"})
  void anythingElseIsRefusedWithTheSettingNamed(String name) {
    assertThatThrownBy(
            () ->
                load(
                    Map.of(
                        "TASKS_CLUSTER_DISCOVERY",
                        "kubernetes",
                        "TASKS_CLUSTER_SERVICE_DNS",
                        name)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "TASKS_CLUSTER_SERVICE_DNS must be a DNS name such as tasks.default.svc.cluster.local,"
                + " got '"
                + name
                + "'");
  }
}
