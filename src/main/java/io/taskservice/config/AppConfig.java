package io.taskservice.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The whole configuration, read once at start-up from {@code conf/task-service.properties} (the
 * documented defaults, packaged in the jar) overridden by environment variables of the same name.
 * Any value may instead be read from the file named by {@code <NAME>_FILE}.
 */
public record AppConfig(
    int httpPort,
    int httpInstances,
    int bodyLimitBytes,
    String dbUrl,
    int dbPoolSize,
    long dbTimeoutMs,
    Role role,
    long processingDelayMs,
    long leaseMs,
    long sweepIntervalMs,
    long newGraceMs,
    int sweepBatch,
    long shutdownGraceMs,
    boolean cluster,
    String clusterName,
    String clusterHost,
    int clusterPort,
    int clusterBusPort,
    List<String> clusterMembers,
    LogFormat logFormat,
    AccessLog accessLog,
    List<String> allowedHosts,
    List<String> apiTokens,
    String tlsCert,
    String tlsKey) {

  static final String DEFAULTS = "conf/task-service.properties";

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

  public static AppConfig fromEnvironment() {
    return load(System.getenv());
  }

  /**
   * Only {@code TASKS_LOG_FORMAT} (or its {@code _FILE}), for choosing the logging configuration
   * before anything logs; text when it is invalid (start-up then reports the error).
   */
  public static LogFormat logFormat(Map<String, String> env) {
    try {
      return new Values(defaults(), env).choice("TASKS_LOG_FORMAT", LogFormat.class);
    } catch (ConfigException | IllegalStateException | UncheckedIOException e) {
      return LogFormat.TEXT;
    }
  }

  /** Reads the defaults and applies {@code env} over them; throws {@link ConfigException}. */
  public static AppConfig load(Map<String, String> env) {
    Values v = new Values(defaults(), env);
    AppConfig config =
        new AppConfig(
            v.integer("TASKS_HTTP_PORT", 0, 65535),
            v.integer("TASKS_HTTP_INSTANCES", 0, 256),
            v.integer("TASKS_BODY_LIMIT_BYTES", 1024, Integer.MAX_VALUE),
            v.dbUrl("TASKS_DB_URL"),
            v.integer("TASKS_DB_POOL_SIZE", 1, 1000),
            v.integer("TASKS_DB_TIMEOUT_MS", 100, 600_000),
            v.choice("TASKS_ROLE", Role.class),
            v.integer("TASKS_PROCESSING_DELAY_MS", 0, 86_400_000),
            v.integer("TASKS_LEASE_MS", 1000, 86_400_000),
            v.integer("TASKS_SWEEP_INTERVAL_MS", 50, 3_600_000),
            v.integer("TASKS_NEW_GRACE_MS", 0, 3_600_000),
            v.integer("TASKS_SWEEP_BATCH", 1, 100_000),
            v.integer("TASKS_SHUTDOWN_GRACE_MS", 0, 3_600_000),
            v.bool("TASKS_CLUSTER"),
            v.string("TASKS_CLUSTER_NAME"),
            v.string("TASKS_CLUSTER_HOST"),
            v.integer("TASKS_CLUSTER_PORT", 1, 65535),
            v.integer("TASKS_CLUSTER_BUS_PORT", 0, 65535),
            v.list("TASKS_CLUSTER_MEMBERS"),
            v.choice("TASKS_LOG_FORMAT", LogFormat.class),
            v.choice("TASKS_ACCESS_LOG", AccessLog.class),
            v.list("TASKS_ALLOWED_HOSTS"),
            v.list("TASKS_API_TOKENS"),
            v.path("TASKS_TLS_CERT"),
            v.path("TASKS_TLS_KEY"));
    if (config.leaseMs() <= config.processingDelayMs()) {
      throw new ConfigException(
          "TASKS_LEASE_MS must be longer than TASKS_PROCESSING_DELAY_MS ("
              + config.processingDelayMs()
              + "), got "
              + config.leaseMs());
    }
    if (config.cluster() && config.clusterName().isEmpty()) {
      throw new ConfigException("TASKS_CLUSTER_NAME must not be empty when TASKS_CLUSTER is on");
    }
    if (config.tlsCert().isEmpty() != config.tlsKey().isEmpty()) {
      throw new ConfigException("TASKS_TLS_CERT and TASKS_TLS_KEY must be set together");
    }
    return config;
  }

  /** HTTP verticle instances to deploy: the configured number, or one per core. */
  public int effectiveHttpInstances() {
    return httpInstances > 0 ? httpInstances : Runtime.getRuntime().availableProcessors();
  }

  public boolean tls() {
    return !tlsCert.isEmpty();
  }

  /** The same configuration with other values, for tests and tools. */
  public AppConfig with(Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(asMap());
    env.putAll(overrides);
    return load(env);
  }

  private Map<String, String> asMap() {
    Map<String, String> m = new HashMap<>();
    m.put("TASKS_HTTP_PORT", Integer.toString(httpPort));
    m.put("TASKS_HTTP_INSTANCES", Integer.toString(httpInstances));
    m.put("TASKS_BODY_LIMIT_BYTES", Integer.toString(bodyLimitBytes));
    m.put("TASKS_DB_URL", dbUrl);
    m.put("TASKS_DB_POOL_SIZE", Integer.toString(dbPoolSize));
    m.put("TASKS_DB_TIMEOUT_MS", Long.toString(dbTimeoutMs));
    m.put("TASKS_ROLE", role.name());
    m.put("TASKS_PROCESSING_DELAY_MS", Long.toString(processingDelayMs));
    m.put("TASKS_LEASE_MS", Long.toString(leaseMs));
    m.put("TASKS_SWEEP_INTERVAL_MS", Long.toString(sweepIntervalMs));
    m.put("TASKS_NEW_GRACE_MS", Long.toString(newGraceMs));
    m.put("TASKS_SWEEP_BATCH", Integer.toString(sweepBatch));
    m.put("TASKS_SHUTDOWN_GRACE_MS", Long.toString(shutdownGraceMs));
    m.put("TASKS_CLUSTER", Boolean.toString(cluster));
    m.put("TASKS_CLUSTER_NAME", clusterName);
    m.put("TASKS_CLUSTER_HOST", clusterHost);
    m.put("TASKS_CLUSTER_PORT", Integer.toString(clusterPort));
    m.put("TASKS_CLUSTER_BUS_PORT", Integer.toString(clusterBusPort));
    m.put("TASKS_CLUSTER_MEMBERS", String.join(",", clusterMembers));
    m.put("TASKS_LOG_FORMAT", logFormat.name());
    m.put("TASKS_ACCESS_LOG", accessLog.name());
    m.put("TASKS_ALLOWED_HOSTS", String.join(",", allowedHosts));
    m.put("TASKS_API_TOKENS", String.join(",", apiTokens));
    m.put("TASKS_TLS_CERT", tlsCert);
    m.put("TASKS_TLS_KEY", tlsKey);
    return m;
  }

  @Override
  public String toString() {
    // never print secrets: the database password and the API tokens
    return "AppConfig[httpPort="
        + httpPort
        + ", role="
        + role
        + ", db="
        + redactedDbUrl()
        + ", poolSize="
        + dbPoolSize
        + ", delayMs="
        + processingDelayMs
        + ", leaseMs="
        + leaseMs
        + ", cluster="
        + cluster
        + ", apiTokens="
        + apiTokens.size()
        + ", tls="
        + tls()
        + "]";
  }

  /** The database URL without its password, for logs. */
  public String redactedDbUrl() {
    return dbUrl.replaceFirst("//([^:/@]*):[^@]*@", "//$1:***@");
  }

  private static Properties defaults() {
    Properties p = new Properties();
    try (InputStream in = AppConfig.class.getClassLoader().getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULTS + " is missing from the classpath");
      }
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  /** Raw values: environment (or its _FILE twin) first, then the packaged defaults. */
  private record Values(Properties defaults, Map<String, String> env) {
    String raw(String name) {
      String fileName = env.get(name + "_FILE");
      if (fileName != null && !fileName.isBlank()) {
        try {
          return Files.readString(Path.of(fileName.trim()), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
          throw new ConfigException(name + "_FILE names a file that cannot be read: " + fileName);
        }
      }
      String value = env.get(name);
      if (value == null) {
        value = defaults.getProperty(name);
      }
      if (value == null) {
        throw new ConfigException(name + " has no value and no default");
      }
      return value.trim();
    }

    String string(String name) {
      return raw(name);
    }

    String path(String name) {
      String value = raw(name);
      if (!value.isEmpty() && !Files.isReadable(Path.of(value))) {
        throw new ConfigException(name + " must name a readable file, got '" + value + "'");
      }
      return value;
    }

    int integer(String name, int min, int max) {
      String value = raw(name);
      try {
        long n = Long.parseLong(value);
        if (n >= min && n <= max) {
          return (int) n;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new ConfigException(
          name + " must be an integer from " + min + " to " + max + ", got '" + value + "'");
    }

    boolean bool(String name) {
      String value = raw(name).toLowerCase(Locale.ROOT);
      return switch (value) {
        case "true", "1", "yes", "on" -> true;
        case "false", "0", "no", "off", "" -> false;
        default -> throw new ConfigException(name + " must be true or false, got '" + value + "'");
      };
    }

    <E extends Enum<E>> E choice(String name, Class<E> type) {
      String value = raw(name);
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(value)) {
          return e;
        }
      }
      throw new ConfigException(
          name
              + " must be one of "
              + Arrays.stream(type.getEnumConstants())
                  .map(e -> e.name().toLowerCase(Locale.ROOT))
                  .toList()
              + ", got '"
              + value
              + "'");
    }

    List<String> list(String name) {
      return Arrays.stream(raw(name).split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .toList();
    }

    String dbUrl(String name) {
      String value = raw(name);
      try {
        URI uri = new URI(value);
        String scheme = uri.getScheme();
        if (("postgresql".equals(scheme) || "postgres".equals(scheme))
            && uri.getHost() != null
            && uri.getPath() != null
            && uri.getPath().length() > 1) {
          return value;
        }
      } catch (URISyntaxException e) {
        // reported below
      }
      // the value may hold a password: do not echo it
      throw new ConfigException(
          name + " must look like postgresql://user:password@host:port/database");
    }
  }
}
