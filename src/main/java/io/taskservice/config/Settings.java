package io.taskservice.config;

import static io.taskservice.config.SettingType.bool;
import static io.taskservice.config.SettingType.choice;
import static io.taskservice.config.SettingType.cidrs;
import static io.taskservice.config.SettingType.duration;
import static io.taskservice.config.SettingType.integer;
import static io.taskservice.config.SettingType.list;
import static io.taskservice.config.SettingType.optional;
import static io.taskservice.config.SettingType.postgresUrl;
import static io.taskservice.config.SettingType.readableFile;
import static io.taskservice.config.SettingType.string;

import io.taskservice.config.AppConfig.AccessLog;
import io.taskservice.config.AppConfig.Discovery;
import io.taskservice.config.AppConfig.LogFormat;
import io.taskservice.config.AppConfig.Migrate;
import io.taskservice.config.AppConfig.Role;
import io.taskservice.domain.ConsumedQueues;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Every setting of the service, each declared once: this table drives parsing, validation, the
 * {@code _FILE} variants, redaction in logs, {@code docs/configuration.md} and {@code
 * conf/task-service.properties}. Adding a setting is one line here (and an accessor in {@link
 * AppConfig} for readability).
 */
public final class Settings {
  private static final List<Setting<?>> ALL = new ArrayList<>();

  // HTTP
  public static final Setting<Integer> HTTP_PORT =
      define(
          "TASKS_HTTP_PORT",
          integer(0, 65535),
          "8000",
          "HTTP port of the API, Swagger UI, /health and /metrics; `0` takes a free port.");
  public static final Setting<Integer> HTTP_INSTANCES =
      define(
          "TASKS_HTTP_INSTANCES",
          integer(0, 256),
          "0",
          "HTTP verticle instances; `0` = one per CPU core.");
  public static final Setting<Integer> BODY_LIMIT_BYTES =
      define(
          "TASKS_BODY_LIMIT_BYTES",
          integer(1024, Integer.MAX_VALUE),
          "1048576",
          "Largest accepted request body in bytes; a larger one gets `413`.");
  public static final Setting<Duration> HTTP_IDLE_TIMEOUT =
      define(
          "TASKS_HTTP_IDLE_TIMEOUT",
          duration(Duration.ofSeconds(1), Duration.ofDays(1)),
          "2m",
          "An HTTP connection on which nothing is read or written for this long is closed. Must"
              + " outlast the longest long poll (60 s) and the event stream's heartbeat (15 s),"
              + " which a shorter value cuts (start-up warns).");

  // PostgreSQL
  public static final Setting<Optional<String>> DB_URL =
      secret(
          "TASKS_DB_URL",
          optional(postgresUrl()),
          "",
          "PostgreSQL to use (URL parameters such as `?sslmode=require` apply to every connection);"
              + " the database is created at start-up when missing and the user may create it."
              + " Empty: an embedded PostgreSQL for development, in `TASKS_DATA_DIR` (not with"
              + " `TASKS_CLUSTER`).");
  public static final Setting<String> DATA_DIR =
      define(
          "TASKS_DATA_DIR",
          string(),
          "./task-data",
          "Directory of the embedded PostgreSQL used when `TASKS_DB_URL` is empty: its data in"
              + " `data/`, its binaries in `bin/`, its log in `postgresql.log`; kept across"
              + " restarts.");
  public static final Setting<Integer> DB_POOL_SIZE =
      define("TASKS_DB_POOL_SIZE", integer(1, 1000), "16", "PostgreSQL connections per node.");
  public static final Setting<Integer> DB_TIMEOUT_MS =
      define(
          "TASKS_DB_TIMEOUT_MS",
          integer(100, 600_000),
          "5000",
          "Limit in ms for one database call and for connecting; beyond it the call fails with"
              + " `503`.");
  public static final Setting<Migrate> MIGRATE =
      define(
          "TASKS_MIGRATE",
          choice(Migrate.class),
          "auto",
          "`auto`: a node brings the schema up to date when it starts (concurrent starts are"
              + " safe); `never`: it only checks, and while migrations are pending it stays not"
              + " ready, saying so in `/health/ready` and its log, until `task-service migrate`"
              + " has run (a Kubernetes Job: docs/kubernetes.md).");

  // Processing
  public static final Setting<Role> ROLE =
      define(
          "TASKS_ROLE",
          choice(Role.class),
          "all",
          "`all`: API and worker in one process; `http`: API only, wakes the queues' workers, never processes;"
              + " `worker`: processes only, serves no API.");
  public static final Setting<Integer> PROCESSING_DELAY_MS =
      define(
          "TASKS_PROCESSING_DELAY_MS",
          integer(0, 86_400_000),
          "3000",
          "Simulated work per task in ms (a timer, never a blocking sleep).");
  public static final Setting<Integer> LEASE_MS =
      define(
          "TASKS_LEASE_MS",
          integer(1000, 86_400_000),
          "30000",
          "How long a worker's claim lasts in ms; after it another worker may take the task over."
              + " Must exceed `TASKS_PROCESSING_DELAY_MS`.");
  public static final Setting<ConsumedQueues> QUEUES =
      define(
          "TASKS_QUEUES",
          SettingType.consumedQueues(),
          "*=10000",
          "The queues a worker node consumes and the most tasks it holds in flight for each:"
              + " `reports=50,default` (a name without a limit gets 10,000); `*` is one shared"
              + " bucket for every queue not named. See docs/queues.md.");
  public static final Setting<Integer> SWEEP_INTERVAL_MS =
      define(
          "TASKS_SWEEP_INTERVAL_MS",
          integer(50, 3_600_000),
          "1000",
          "How often (ms) each worker sweeps its queues for tasks whose wake-up was lost or whose"
              + " lease ended, and reads when their next scheduled task is due.");
  public static final Setting<Integer> NEW_GRACE_MS =
      define(
          "TASKS_NEW_GRACE_MS",
          integer(0, 3_600_000),
          "2000",
          "A task due and claimable for longer than this many ms when a sweep claims it counts as"
              + " recovered (`new_unclaimed`): its queue's wake-up was lost.");
  public static final Setting<Integer> SWEEP_BATCH =
      define(
          "TASKS_SWEEP_BATCH",
          integer(1, 100_000),
          "500",
          "Tasks claimed per sweep at most; a full batch is followed by another sweep at once.");
  public static final Setting<Integer> SHUTDOWN_GRACE_MS =
      define(
          "TASKS_SHUTDOWN_GRACE_MS",
          integer(0, 3_600_000),
          "10000",
          "On SIGTERM, how long (ms) HTTP requests in flight may take to be answered, then how"
              + " long held tasks may finish before they are handed back.");

  // Retries and overload
  public static final Setting<Duration> IDEMPOTENCY_TTL =
      define(
          "TASKS_IDEMPOTENCY_TTL",
          duration(Duration.ofSeconds(1), Duration.ofDays(30)),
          "1d",
          "How long an `Idempotency-Key` of `POST /api/v1/tasks/` stands for the task it created"
              + " (`1d` = 24 h); expired keys are pruned.");
  public static final Setting<Integer> MAX_PENDING =
      define(
          "TASKS_MAX_PENDING",
          integer(0, 1_000_000),
          "0",
          "API requests a node works on at once; beyond them it answers `503` with `Retry-After`"
              + " at once. `0` = 64 per connection of `TASKS_DB_POOL_SIZE`.");

  // Data
  public static final Setting<Duration> RETENTION =
      define(
          "TASKS_RETENTION",
          duration(),
          "0",
          "Finished (`done`, `failed`, `cancelled`) tasks whose last change is older than this are deleted,"
              + " with their history, by the workers; `new` and `processing` tasks never are."
              + " At most 36500d. `0` keeps every task.");

  // Cluster
  public static final Setting<Boolean> CLUSTER =
      define(
          "TASKS_CLUSTER",
          bool(),
          "false",
          "Join a Hazelcast cluster, so that nodes in other JVMs share the event bus.");
  public static final Setting<String> CLUSTER_NAME =
      define(
          "TASKS_CLUSTER_NAME",
          string(),
          "task-service",
          "Only nodes with the same cluster name join each other; must not be empty in a"
              + " cluster.");
  public static final Setting<String> CLUSTER_HOST =
      define(
          "TASKS_CLUSTER_HOST",
          string(),
          "",
          "Address this node binds and announces (Hazelcast and event bus); empty picks a"
              + " non-loopback interface.");
  public static final Setting<Integer> CLUSTER_PORT =
      define(
          "TASKS_CLUSTER_PORT",
          integer(1, 65535),
          "5701",
          "First Hazelcast port tried; when taken, the next free one (up to 100 further).");
  public static final Setting<Integer> CLUSTER_BUS_PORT =
      define(
          "TASKS_CLUSTER_BUS_PORT",
          integer(0, 65535),
          "0",
          "Event-bus port other nodes send task ids to; `0` takes a free one, announced through"
              + " the cluster.");
  public static final Setting<List<String>> CLUSTER_MEMBERS =
      define(
          "TASKS_CLUSTER_MEMBERS",
          list(),
          "",
          "Members (`host` or `host:port`) for TCP discovery; a host alone is tried on the first"
              + " 10 ports from `TASKS_CLUSTER_PORT`. Only with `tcp` discovery (which `auto`"
              + " picks when this is set).");
  public static final Setting<Discovery> CLUSTER_DISCOVERY =
      define(
          "TASKS_CLUSTER_DISCOVERY",
          choice(Discovery.class),
          "auto",
          "How members find each other: `tcp` (the hosts of `TASKS_CLUSTER_MEMBERS`),"
              + " `multicast` (the local network segment), `kubernetes` (the addresses DNS gives"
              + " for `TASKS_CLUSTER_SERVICE_DNS`; no API access needed); `auto` is `tcp` when"
              + " `TASKS_CLUSTER_MEMBERS` is set, else `multicast`.");
  public static final Setting<String> CLUSTER_SERVICE_DNS =
      define(
          "TASKS_CLUSTER_SERVICE_DNS",
          SettingType.dnsName(),
          "",
          "DNS name of the headless Service (with `publishNotReadyAddresses: true`) whose"
              + " addresses are the members, e.g. `task-service-cluster.tasks.svc.cluster.local`;"
              + " only with `kubernetes` discovery, which needs it.");
  public static final Setting<String> CLUSTER_TLS_CERT =
      define(
          "TASKS_CLUSTER_TLS_CERT",
          readableFile(),
          "",
          "PEM certificate chain this node presents on the event bus; with"
              + " `TASKS_CLUSTER_TLS_KEY` and `TASKS_CLUSTER_TLS_CA` the event bus between nodes"
              + " runs over TLS and each side must present a certificate the CA signed."
              + " Hazelcast's own traffic stays unencrypted (docs/cluster.md).");
  public static final Setting<String> CLUSTER_TLS_KEY =
      define(
          "TASKS_CLUSTER_TLS_KEY",
          readableFile(),
          "",
          "PEM private key of `TASKS_CLUSTER_TLS_CERT`; set the three together.");
  public static final Setting<String> CLUSTER_TLS_CA =
      define(
          "TASKS_CLUSTER_TLS_CA",
          readableFile(),
          "",
          "PEM certificate(s) of the authority that signs the nodes' event-bus certificates;"
              + " a peer presenting any other certificate, or none, is refused.");

  // Logs
  public static final Setting<LogFormat> LOG_FORMAT =
      define(
          "TASKS_LOG_FORMAT",
          choice(LogFormat.class),
          "text",
          "`text`, or `json`: one JSON object per line.");
  public static final Setting<AccessLog> ACCESS_LOG =
      define(
          "TASKS_ACCESS_LOG",
          choice(AccessLog.class),
          "errors",
          "Access log lines: `all`, `errors` (4xx, 5xx, aborted or slower than 1 s) or `off`.");

  // Security
  public static final Setting<List<String>> ALLOWED_HOSTS =
      define(
          "TASKS_ALLOWED_HOSTS",
          list(),
          "",
          "Allowed `Host` values as Django's ALLOWED_HOSTS (`.example.com` for a domain and its"
              + " subdomains, `*` any); empty allows any. /health and /metrics answer any host.");
  public static final Setting<List<String>> API_TOKENS =
      secret(
          "TASKS_API_TOKENS",
          list(),
          "",
          "Bearer tokens required on `/api/`; empty leaves the API open. /health and /metrics"
              + " need none.");
  public static final Setting<String> TLS_CERT =
      define(
          "TASKS_TLS_CERT",
          readableFile(),
          "",
          "PEM certificate chain; with `TASKS_TLS_KEY` the port serves HTTPS only.");
  public static final Setting<String> TLS_KEY =
      define(
          "TASKS_TLS_KEY",
          readableFile(),
          "",
          "PEM private key; set together with `TASKS_TLS_CERT`.");
  public static final Setting<List<Cidr>> TRUSTED_PROXIES =
      define(
          "TASKS_TRUSTED_PROXIES",
          cidrs(),
          "",
          "Proxies (their addresses, as CIDRs) whose `X-Forwarded-Proto` and `X-Forwarded-Host`"
              + " (the last value of each) make the scheme and host of the API's absolute links,"
              + " checked against `TASKS_ALLOWED_HOSTS`; from any other peer both headers are"
              + " ignored. Empty trusts no peer.");

  private Settings() {}

  /** Every setting, in the order of the docs table. */
  public static List<Setting<?>> all() {
    return Collections.unmodifiableList(ALL);
  }

  private static <T> Setting<T> define(
      String name, SettingType<T> type, String defaultText, String doc) {
    return add(new Setting<>(name, type, defaultText, false, doc));
  }

  private static <T> Setting<T> secret(
      String name, SettingType<T> type, String defaultText, String doc) {
    return add(new Setting<>(name, type, defaultText, true, doc));
  }

  private static <T> Setting<T> add(Setting<T> setting) {
    ALL.add(setting);
    return setting;
  }
}
