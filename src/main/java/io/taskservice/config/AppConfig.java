package io.taskservice.config;

import io.taskservice.domain.ConsumedQueues;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The whole configuration, read once at start-up from environment variables (or the files named by
 * their {@code _FILE} twins) over the defaults declared in {@link Settings}, validated, and passed
 * down. Accessors name the settings in Java terms; {@link #get} reads any setting.
 */
public record AppConfig(Map<String, Object> values) {
  static final Duration MAX_RETENTION = Duration.ofDays(36_500);

  /**
   * The longest a request may wait with nothing written: a long poll's longest wait (§8 of the
   * specification: larger values are clamped to it). The event stream's heartbeat (15 s) is
   * shorter.
   */
  static final Duration LONGEST_SILENT_REQUEST = Duration.ofSeconds(60);

  /** Which verticles a node runs. */
  public enum Role {
    ALL,
    HTTP,
    WORKER;

    public boolean servesApi() {
      return this != WORKER;
    }

    public boolean processes() {
      return this != HTTP;
    }
  }

  /** How cluster members find each other ({@code TASKS_CLUSTER_DISCOVERY}). */
  public enum Discovery {
    /** {@code tcp} when members are listed, else {@code multicast} */
    AUTO,
    MULTICAST,
    TCP,
    /** the addresses of a headless Service, by DNS lookup */
    KUBERNETES
  }

  /** Whether a node migrates the schema when it starts ({@code TASKS_MIGRATE}). */
  public enum Migrate {
    /** migrate at start; concurrent starts are safe (Flyway's lock) */
    AUTO,
    /** only check; a node stays not ready while migrations are pending */
    NEVER
  }

  /** Which requests get an access log line. */
  public enum AccessLog {
    /** every request */
    ALL,
    /** requests answered 4xx or 5xx, aborted, or slower than a second */
    ERRORS,
    /** none */
    OFF
  }

  /** Log line format. */
  public enum LogFormat {
    TEXT,
    JSON
  }

  /** Checks the rules between settings; each setting's own value was checked when read. */
  public AppConfig {
    values = Map.copyOf(values);
    for (Setting<?> s : Settings.all()) {
      if (!values.containsKey(s.name())) {
        throw new IllegalArgumentException("no value for " + s.name());
      }
    }
    int delay = value(values, Settings.PROCESSING_DELAY_MS);
    int lease = value(values, Settings.LEASE_MS);
    if (lease <= delay) {
      throw new ConfigException(
          "TASKS_LEASE_MS must be longer than TASKS_PROCESSING_DELAY_MS ("
              + delay
              + "), got "
              + lease);
    }
    if (value(values, Settings.CLUSTER) && value(values, Settings.CLUSTER_NAME).isEmpty()) {
      throw new ConfigException("TASKS_CLUSTER_NAME must not be empty when TASKS_CLUSTER is on");
    }
    if (value(values, Settings.CLUSTER) && value(values, Settings.DB_URL).isEmpty()) {
      throw new ConfigException(
          "TASKS_CLUSTER needs TASKS_DB_URL: every node of a cluster must use the same"
              + " PostgreSQL, and the embedded one serves a single node");
    }
    // a retention beyond a century would reach past what PostgreSQL's timestamps can subtract
    if (value(values, Settings.RETENTION).compareTo(MAX_RETENTION) > 0) {
      throw new ConfigException(
          "TASKS_RETENTION must be at most "
              + Durations.format(MAX_RETENTION)
              + ", got '"
              + Durations.format(value(values, Settings.RETENTION))
              + "'");
    }
    checkDiscovery(
        value(values, Settings.CLUSTER_DISCOVERY),
        value(values, Settings.CLUSTER_MEMBERS),
        value(values, Settings.CLUSTER_SERVICE_DNS));
    if (value(values, Settings.TLS_CERT).isEmpty() != value(values, Settings.TLS_KEY).isEmpty()) {
      throw new ConfigException("TASKS_TLS_CERT and TASKS_TLS_KEY must be set together");
    }
    List<String> clusterTls =
        List.of(
            value(values, Settings.CLUSTER_TLS_CERT),
            value(values, Settings.CLUSTER_TLS_KEY),
            value(values, Settings.CLUSTER_TLS_CA));
    if (clusterTls.contains("") && !clusterTls.stream().allMatch(String::isEmpty)) {
      throw new ConfigException(
          "TASKS_CLUSTER_TLS_CERT, TASKS_CLUSTER_TLS_KEY and TASKS_CLUSTER_TLS_CA must be set"
              + " together");
    }
  }

  /**
   * Each discovery mode takes exactly its own settings: a setting another mode would ignore is a
   * mistake (a Kubernetes set-up that silently falls back to multicast forms one cluster per pod).
   */
  private static void checkDiscovery(Discovery mode, List<String> members, String serviceDns) {
    Discovery effective = effectiveDiscovery(mode, members);
    String named = mode == Discovery.AUTO ? "auto, here " + name(effective) : name(effective);
    if (effective == Discovery.KUBERNETES && serviceDns.isEmpty()) {
      throw new ConfigException(
          "TASKS_CLUSTER_SERVICE_DNS must be set when TASKS_CLUSTER_DISCOVERY is kubernetes: the"
              + " DNS name of the headless Service of the cluster's pods");
    }
    if (effective != Discovery.KUBERNETES && !serviceDns.isEmpty()) {
      throw new ConfigException(
          "TASKS_CLUSTER_SERVICE_DNS is only used with TASKS_CLUSTER_DISCOVERY=kubernetes, not "
              + named);
    }
    if (effective == Discovery.TCP && members.isEmpty()) {
      throw new ConfigException(
          "TASKS_CLUSTER_MEMBERS must not be empty when TASKS_CLUSTER_DISCOVERY is tcp");
    }
    if (effective != Discovery.TCP && !members.isEmpty()) {
      throw new ConfigException(
          "TASKS_CLUSTER_MEMBERS is only used with TASKS_CLUSTER_DISCOVERY=tcp, not " + named);
    }
  }

  private static Discovery effectiveDiscovery(Discovery mode, List<String> members) {
    if (mode != Discovery.AUTO) {
      return mode;
    }
    return members.isEmpty() ? Discovery.MULTICAST : Discovery.TCP;
  }

  private static String name(Discovery mode) {
    return Settings.CLUSTER_DISCOVERY.format(mode);
  }

  public static AppConfig fromEnvironment() {
    return load(System.getenv());
  }

  /** Reads every setting from {@code env} over the defaults; throws {@link ConfigException}. */
  public static AppConfig load(Map<String, String> env) {
    Map<String, Object> values = new HashMap<>();
    for (Setting<?> s : Settings.all()) {
      values.put(s.name(), s.read(env));
    }
    return new AppConfig(values);
  }

  /**
   * Only {@code TASKS_LOG_FORMAT} (or its {@code _FILE}), for choosing the logging configuration
   * before anything logs; text when it is invalid (start-up then reports the error).
   */
  public static LogFormat logFormat(Map<String, String> env) {
    try {
      return Settings.LOG_FORMAT.read(env);
    } catch (ConfigException e) {
      return LogFormat.TEXT;
    }
  }

  /** The value of {@code setting}. */
  public <T> T get(Setting<T> setting) {
    return value(values, setting);
  }

  @SuppressWarnings("unchecked") // load put a value of the setting's type under its name
  private static <T> T value(Map<String, Object> values, Setting<T> setting) {
    return (T) values.get(setting.name());
  }

  /** The same configuration with other values, for tests and tools. */
  public AppConfig with(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    for (Setting<?> s : Settings.all()) {
      env.put(s.name(), text(s));
    }
    env.putAll(overrides);
    return load(env);
  }

  public int httpPort() {
    return get(Settings.HTTP_PORT);
  }

  public int httpInstances() {
    return get(Settings.HTTP_INSTANCES);
  }

  /** HTTP verticle instances to deploy: the configured number, or one per core. */
  public int effectiveHttpInstances() {
    int n = httpInstances();
    return n > 0 ? n : Runtime.getRuntime().availableProcessors();
  }

  public int bodyLimitBytes() {
    return get(Settings.BODY_LIMIT_BYTES);
  }

  /** How long an HTTP connection may stay silent before the server closes it. */
  public Duration httpIdleTimeout() {
    return get(Settings.HTTP_IDLE_TIMEOUT);
  }

  /**
   * An idle timeout that does not outlast the longest long poll cuts long polls (and, below 15 s,
   * idle event streams) before they are answered. Allowed (tests use short ones), but said once at
   * start-up.
   */
  public Optional<String> shortIdleTimeoutWarning() {
    if (httpIdleTimeout().compareTo(LONGEST_SILENT_REQUEST) > 0) {
      return Optional.empty();
    }
    return Optional.of(
        "TASKS_HTTP_IDLE_TIMEOUT ("
            + Durations.format(httpIdleTimeout())
            + ") is not longer than the longest long poll ("
            + Durations.format(LONGEST_SILENT_REQUEST)
            + "): connections that wait that long are closed before their answer");
  }

  /**
   * The PostgreSQL URL; once the embedded server runs, start-up sets its URL here (see {@link
   * #embeddedDatabase()}).
   */
  public String dbUrl() {
    return get(Settings.DB_URL)
        .orElseThrow(() -> new IllegalStateException("no database URL: start the embedded one"));
  }

  /** No {@code TASKS_DB_URL}: the node starts an embedded PostgreSQL in {@link #dataDir()}. */
  public boolean embeddedDatabase() {
    return get(Settings.DB_URL).isEmpty();
  }

  public Path dataDir() {
    return Path.of(get(Settings.DATA_DIR));
  }

  /** The database URL without its password, for logs. */
  public String redactedDbUrl() {
    return Settings.DB_URL.show(get(Settings.DB_URL));
  }

  public int dbPoolSize() {
    return get(Settings.DB_POOL_SIZE);
  }

  public long dbTimeoutMs() {
    return get(Settings.DB_TIMEOUT_MS);
  }

  public Migrate migrate() {
    return get(Settings.MIGRATE);
  }

  public Duration idempotencyTtl() {
    return get(Settings.IDEMPOTENCY_TTL);
  }

  /**
   * API requests a node works on at once (waiting for the database); beyond them it answers 503.
   * Unless configured, 64 per pooled connection: room for full group-commit batches on every
   * connection, little enough that the queue drains within a fraction of a second.
   */
  public int maxPending() {
    int configured = get(Settings.MAX_PENDING);
    return configured > 0 ? configured : dbPoolSize() * 64;
  }

  public Role role() {
    return get(Settings.ROLE);
  }

  public long processingDelayMs() {
    return get(Settings.PROCESSING_DELAY_MS);
  }

  public long leaseMs() {
    return get(Settings.LEASE_MS);
  }

  /**
   * A lease must outlast the delay, a completion that takes the whole database time limit and the
   * sweep interval; a shorter one lets other workers take over (and redo) tasks whose holder is
   * merely slow. Allowed (tests use short leases), but said once at start-up.
   */
  public Optional<String> shortLeaseWarning() {
    long needed = processingDelayMs() + dbTimeoutMs() + sweepIntervalMs();
    if (leaseMs() >= needed) {
      return Optional.empty();
    }
    return Optional.of(
        "TASKS_LEASE_MS ("
            + leaseMs()
            + " ms) is shorter than TASKS_PROCESSING_DELAY_MS + TASKS_DB_TIMEOUT_MS +"
            + " TASKS_SWEEP_INTERVAL_MS ("
            + needed
            + " ms): tasks whose completion is slow will be taken over and processed again");
  }

  public long sweepIntervalMs() {
    return get(Settings.SWEEP_INTERVAL_MS);
  }

  /** What this node's worker consumes ({@code TASKS_QUEUES}). */
  public ConsumedQueues queues() {
    return get(Settings.QUEUES);
  }

  public long newGraceMs() {
    return get(Settings.NEW_GRACE_MS);
  }

  public int sweepBatch() {
    return get(Settings.SWEEP_BATCH);
  }

  public long shutdownGraceMs() {
    return get(Settings.SHUTDOWN_GRACE_MS);
  }

  /** How long finished tasks are kept after their last change; zero keeps them forever. */
  public Duration retention() {
    return get(Settings.RETENTION);
  }

  public boolean cluster() {
    return get(Settings.CLUSTER);
  }

  public String clusterName() {
    return get(Settings.CLUSTER_NAME);
  }

  public String clusterHost() {
    return get(Settings.CLUSTER_HOST);
  }

  public int clusterPort() {
    return get(Settings.CLUSTER_PORT);
  }

  public int clusterBusPort() {
    return get(Settings.CLUSTER_BUS_PORT);
  }

  public List<String> clusterMembers() {
    return get(Settings.CLUSTER_MEMBERS);
  }

  /** How this node finds the other members: never {@code auto}, which is resolved here. */
  public Discovery clusterDiscovery() {
    return effectiveDiscovery(get(Settings.CLUSTER_DISCOVERY), clusterMembers());
  }

  /** The headless Service's DNS name ({@code kubernetes} discovery only). */
  public String clusterServiceDns() {
    return get(Settings.CLUSTER_SERVICE_DNS);
  }

  /** The event bus between nodes runs over TLS with client certificates. */
  public boolean clusterTls() {
    return !clusterTlsCert().isEmpty();
  }

  public String clusterTlsCert() {
    return get(Settings.CLUSTER_TLS_CERT);
  }

  public String clusterTlsKey() {
    return get(Settings.CLUSTER_TLS_KEY);
  }

  public String clusterTlsCa() {
    return get(Settings.CLUSTER_TLS_CA);
  }

  public LogFormat logFormat() {
    return get(Settings.LOG_FORMAT);
  }

  public AccessLog accessLog() {
    return get(Settings.ACCESS_LOG);
  }

  public List<String> allowedHosts() {
    return get(Settings.ALLOWED_HOSTS);
  }

  public List<String> apiTokens() {
    return get(Settings.API_TOKENS);
  }

  public String tlsCert() {
    return get(Settings.TLS_CERT);
  }

  public String tlsKey() {
    return get(Settings.TLS_KEY);
  }

  public boolean tls() {
    return !tlsCert().isEmpty();
  }

  /** The peers whose {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} are believed. */
  public List<Cidr> trustedProxies() {
    return get(Settings.TRUSTED_PROXIES);
  }

  /** Every setting with its value, secrets redacted: safe for logs. */
  @Override
  public String toString() {
    Map<String, String> shown = new LinkedHashMap<>();
    for (Setting<?> s : Settings.all()) {
      shown.put(s.name(), shown(s));
    }
    return shown.entrySet().stream()
        .map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", ", "AppConfig[", "]"));
  }

  private <T> String text(Setting<T> s) {
    return s.format(get(s));
  }

  private <T> String shown(Setting<T> s) {
    return s.show(get(s));
  }
}
