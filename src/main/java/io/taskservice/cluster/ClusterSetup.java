package io.taskservice.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.taskservice.config.AppConfig;
import io.taskservice.config.AppConfig.Discovery;
import io.taskservice.config.ConfigException;
import io.taskservice.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a node's Vert.x into a cluster member: Hazelcast membership (TCP discovery from {@code
 * TASKS_CLUSTER_MEMBERS}, multicast, or a headless Kubernetes Service by DNS) and the event-bus
 * address other nodes send task ids to, over TLS with client certificates when {@code
 * TASKS_CLUSTER_TLS_*} are set. Hazelcast's own connections are never encrypted (its open-source
 * edition has no TLS): docs/cluster.md.
 */
public final class ClusterSetup {
  private static final Logger log = LoggerFactory.getLogger(ClusterSetup.class);

  /** Ports a node tries from {@code TASKS_CLUSTER_PORT} on when the first is taken. */
  static final int PORT_COUNT = 100;

  /**
   * A member given as a host without a port is probed on this many ports from {@code
   * TASKS_CLUSTER_PORT} on: up to this many nodes on one host find each other by host name alone.
   */
  static final int PORTS_TRIED_PER_HOST = 10;

  /** How long one DNS lookup of the headless Service may take (Hazelcast's default is 5 s). */
  static final int SERVICE_DNS_TIMEOUT_SECONDS = 5;

  private ClusterSetup() {}

  /**
   * Builds a clustered Vert.x from {@code builder} and {@code options} (both may carry other
   * settings, e.g. metrics). Completes once this node has joined the cluster; from then on {@code
   * member} is down whenever the node is not a member (see {@link MembershipWatch}), and {@code
   * members} follows the cluster's members.
   */
  public static Future<Vertx> buildClustered(
      VertxBuilder builder,
      VertxOptions options,
      AppConfig config,
      Readiness.Condition member,
      Membership members) {
    configureEventBus(options.getEventBusOptions(), config);
    HazelcastClusterManager manager = new HazelcastClusterManager(hazelcastConfig(config));
    return builder
        .with(options)
        .withClusterManager(manager)
        .buildClustered()
        .onSuccess(
            vertx -> {
              HazelcastInstance hazelcast = manager.getHazelcastInstance();
              hazelcast.getLifecycleService().addLifecycleListener(new MembershipWatch(member));
              // it may have stopped already, before the listener was there to see it
              if (!hazelcast.getLifecycleService().isRunning()) {
                member.down("left the cluster");
              }
              members.attach(hazelcast);
              logMembership(hazelcast, config);
            });
  }

  static void configureEventBus(EventBusOptions eventBus, AppConfig config) {
    // port 0 (the default): the event bus takes a free port, so several nodes fit on one host;
    // either way the port in use is announced through the cluster
    eventBus.setPort(config.clusterBusPort());
    if (!config.clusterHost().isEmpty()) {
      eventBus.setHost(config.clusterHost()).setClusterPublicHost(config.clusterHost());
    }
    // otherwise the event bus binds and announces the address Hazelcast picked
    if (config.clusterTls()) {
      // both ends of every event-bus connection present a certificate the CA signed; the client
      // side checks no host name (Vert.x sets none for the event bus): the CA is the identity
      eventBus
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions()
                  .setCertPath(config.clusterTlsCert())
                  .setKeyPath(config.clusterTlsKey()))
          .setTrustOptions(new PemTrustOptions().addCertPath(config.clusterTlsCa()))
          .setClientAuth(ClientAuth.REQUIRED);
    }
  }

  /** The Hazelcast member configuration of a node. */
  static Config hazelcastConfig(AppConfig config) {
    // the packaged vertx-hazelcast configuration declares the maps Vert.x keeps its event-bus
    // subscriptions and node information in; only the network and timings are changed below
    Config hz = ConfigUtil.loadConfig();
    if (hz == null) {
      throw new IllegalStateException("the Hazelcast configuration of vertx-hazelcast is missing");
    }
    hz.setClusterName(config.clusterName());
    if (config.role().processes()) {
      // the workers among the members: the oldest of them acts on a departure (Membership)
      hz.getMemberAttributeConfig().setAttribute(Membership.PROCESSES, "true");
    }

    NetworkConfig network = hz.getNetworkConfig();
    network.setPort(config.clusterPort()).setPortAutoIncrement(true).setPortCount(PORT_COUNT);
    JoinConfig join = network.getJoin();
    join.getAutoDetectionConfig().setEnabled(false);
    configureDiscovery(join, config);
    if (!config.clusterHost().isEmpty()) {
      // bind and announce exactly this address (a name is resolved), not every interface
      hz.setProperty("hazelcast.local.localAddress", config.clusterHost());
      hz.setProperty("hazelcast.socket.bind.any", "false");
    }
    hz.setProperty("hazelcast.tcp.join.port.try.count", Integer.toString(PORTS_TRIED_PER_HOST));

    // Start-up: join at once instead of waiting for more members to show up (default 5 s; see
    // KUBERNETES_WAIT_BEFORE_JOIN_SECONDS for the exception), and never call home.
    hz.setProperty(
        "hazelcast.wait.seconds.before.join",
        config.clusterDiscovery() == Discovery.KUBERNETES
            ? Integer.toString(KUBERNETES_WAIT_BEFORE_JOIN_SECONDS)
            : "0");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");

    // Failure detection. A worker's claims are handed back once its member has been dropped and
    // its heartbeat in the database has stopped (worker/MemberLeft), and until a dead node is
    // dropped HTTP nodes keep sending some task ids to it (the sweep of a live worker takes those
    // once TASKS_NEW_GRACE_MS has passed, but each waits longer). A killed process on a reachable
    // host is dropped within a second (its connections are refused); a host that vanishes is
    // dropped after 4 s without a heartbeat (default 60 s), which keeps a dead worker's tasks
    // within the processing delay plus 5 s. Falsely suspecting a node is cheap here: no task state
    // lives in Hazelcast, a node that still beats in the database keeps its claims, and the split
    // member merges back after the merge delays below (defaults 300 s and 120 s).
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", "4");
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", "30");
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", "30");
    // Leaving on SIGTERM hands the few Vert.x partitions over to the others; that takes well
    // under a second, so do not let it hold the shutdown for the default 10 minutes.
    hz.setProperty("hazelcast.graceful.shutdown.max.wait", "10");
    return hz;
  }

  /**
   * Exactly one way of finding members: TCP to the listed hosts, multicast, or the addresses of a
   * headless Kubernetes Service by DNS lookup (no access to the Kubernetes API, hence no RBAC).
   */
  static void configureDiscovery(JoinConfig join, AppConfig config) {
    Discovery mode = config.clusterDiscovery();
    join.getMulticastConfig().setEnabled(mode == Discovery.MULTICAST);
    join.getTcpIpConfig().setEnabled(mode == Discovery.TCP);
    join.getKubernetesConfig().setEnabled(mode == Discovery.KUBERNETES);
    if (mode == Discovery.TCP) {
      // a member that does not answer is given up after 1 s (default 5 s): a node starting while
      // a listed host is down joins the others, or forms the cluster, within seconds
      join.getTcpIpConfig()
          .setConnectionTimeoutSeconds(TCP_CONNECTION_TIMEOUT_SECONDS)
          .setMembers(config.clusterMembers().stream().map(ClusterSetup::member).toList());
    } else if (mode == Discovery.KUBERNETES) {
      // the Service's DNS answers one address per pod, not-ready ones included when the Service
      // publishes them (a pod that waits to be ready before it can be found never finds anyone);
      // each is tried on the cluster port, which every pod binds first as the only member there
      join.getKubernetesConfig()
          .setProperty("service-dns", config.clusterServiceDns())
          .setProperty("service-dns-timeout", Integer.toString(SERVICE_DNS_TIMEOUT_SECONDS))
          .setProperty("service-port", Integer.toString(config.clusterPort()));
    }
  }

  /**
   * How long a node with discovery through the Discovery SPI (Kubernetes) waits before joining. It
   * must not be 0: Hazelcast 5.3's discovery joiner looks for members only until this many seconds
   * have passed, so at 0 it never looks and every pod forms a cluster of its own. The wait ends as
   * soon as DNS names another pod; the first pod of a cluster waits it out alone.
   */
  static final int KUBERNETES_WAIT_BEFORE_JOIN_SECONDS = 3;

  /** How long a TCP join waits for a listed member to answer (SPEC §18). */
  static final int TCP_CONNECTION_TIMEOUT_SECONDS = 1;

  /** A TCP member as Hazelcast expects it: {@code host} or {@code host:port}. */
  static String member(String value) {
    if (value.chars().filter(c -> c == ':').count() != 1) {
      return value; // a host without a port, or an IPv6 address (bracketed when it has a port)
    }
    int colon = value.indexOf(':');
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      if (colon > 0 && port >= 1 && port <= 65535) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        "TASKS_CLUSTER_MEMBERS entries must be host or host:port, got '" + value + "'");
  }

  private static void logMembership(HazelcastInstance hazelcast, AppConfig config) {
    log.info(
        "Joined cluster '{}' as {} ({} members; event bus {})",
        config.clusterName(),
        hazelcast.getCluster().getLocalMember().getAddress(),
        hazelcast.getCluster().getMembers().size(),
        config.clusterTls() ? "over TLS" : "unencrypted");
  }
}
