package io.taskservice.db;

import io.taskservice.config.AppConfig;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings the database to the current schema: creates the configured database when it is missing
 * (and the user may), then applies the versioned SQL files of {@code db/migration} with Flyway.
 * Blocking (JDBC): run it off the event loop.
 */
public final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);
  private static final String INVALID_CATALOG_NAME = "3D000";
  private static final String DUPLICATE_DATABASE = "42P04";

  /** The configured database is missing and cannot be created; start-up cannot continue. */
  public static final class MissingDatabaseException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MissingDatabaseException(String message) {
      super(message);
    }
  }

  private final PgConnectOptions target;
  // TASKS_DB_URL's own parameters (?sslmode=require&...), for every JDBC connection too
  private final String query;

  public Migrations(AppConfig config) {
    this.target = Database.connectOptions(config);
    this.query = URI.create(config.dbUrl()).getRawQuery();
  }

  /** Creates the database if needed and migrates it; returns the number of migrations applied. */
  public int run() {
    ensureDatabaseExists();
    MigrateResult result = flyway().load().migrate();
    if (result.migrationsExecuted > 0) {
      log.info(
          "Database {} migrated to version {} ({} migrations applied)",
          target.getDatabase(),
          result.targetSchemaVersion,
          result.migrationsExecuted);
    }
    return result.migrationsExecuted;
  }

  /**
   * What {@link #run} would do, changing nothing: empty when the schema is current (migrations the
   * database has and this build does not know, applied by a newer version, are fine), else what is
   * missing, e.g. {@code 2 migrations pending (V8, V9)}.
   */
  public Optional<String> behind() {
    try (Connection ignored = connect(target.getDatabase())) {
      // it exists
    } catch (SQLException e) {
      if (INVALID_CATALOG_NAME.equals(e.getSQLState())) {
        return Optional.of(
            "database \"" + target.getDatabase() + "\" does not exist on " + where());
      }
      throw new IllegalStateException(
          "cannot connect to PostgreSQL at " + where() + ": " + e.getMessage(), e);
    }
    MigrationInfo[] pending = flyway().load().info().pending();
    if (pending.length == 0) {
      return Optional.empty();
    }
    return Optional.of(
        pending.length
            + (pending.length == 1 ? " migration" : " migrations")
            + " pending ("
            + Arrays.stream(pending)
                .map(m -> "V" + m.getVersion())
                .collect(Collectors.joining(", "))
            + ")");
  }

  private FluentConfiguration flyway() {
    FluentConfiguration flyway = Flyway.configure();
    // a session-level lock, not one held by a transaction left open for the whole run: CREATE
    // INDEX CONCURRENTLY waits for every open transaction of the database, so it would wait for
    // Flyway's own lock forever (flyway/flyway#3854)
    flyway
        .getPluginRegister()
        .getPlugin(PostgreSQLConfigurationExtension.class)
        .setTransactionalLock(false);
    return flyway
        .dataSource(jdbcUrl(target.getDatabase()), target.getUser(), target.getPassword())
        .locations("classpath:db/migration")
        .connectRetries(0)
        // independent schema changes are written in parallel and may land in any order: a
        // database already at V4 still gets a V2 that arrived later, instead of refusing it
        .outOfOrder(true);
  }

  private void ensureDatabaseExists() {
    try (Connection ignored = connect(target.getDatabase())) {
      return;
    } catch (SQLException e) {
      if (!INVALID_CATALOG_NAME.equals(e.getSQLState())) {
        throw new IllegalStateException(
            "cannot connect to PostgreSQL at " + where() + ": " + e.getMessage(), e);
      }
    }
    String name = target.getDatabase();
    try (Connection admin = connect("postgres");
        Statement create = admin.createStatement()) {
      create.execute("CREATE DATABASE \"" + name.replace("\"", "\"\"") + "\"");
      log.info("Database {} did not exist on {}: created it", name, where());
    } catch (SQLException e) {
      if (DUPLICATE_DATABASE.equals(e.getSQLState())) {
        return; // another node created it at the same moment
      }
      throw new MissingDatabaseException(
          "Database \""
              + name
              + "\" does not exist on "
              + where()
              + " and user \""
              + target.getUser()
              + "\" cannot create it ("
              + e.getMessage().lines().findFirst().orElse("")
              + "): create it, e.g. createdb -h "
              + target.getHost()
              + " -p "
              + target.getPort()
              + " -U <admin> -O "
              + target.getUser()
              + " "
              + name
              + ", or point TASKS_DB_URL at an existing database");
    }
  }

  private Connection connect(String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", target.getUser());
    if (target.getPassword() != null) {
      props.setProperty("password", target.getPassword());
    }
    props.setProperty("connectTimeout", "5");
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /**
   * The JDBC URL of {@code database} on the configured server, with every parameter of {@code
   * TASKS_DB_URL}: TLS settings such as {@code sslmode} apply to migrations as to the pool.
   */
  public String jdbcUrl(String database) {
    String url = "jdbc:postgresql://" + target.getHost() + ":" + target.getPort() + "/" + database;
    return query == null || query.isEmpty() ? url : url + "?" + query;
  }

  private String where() {
    return target.getHost() + ":" + target.getPort();
  }

  /** Whether a migration failed because PostgreSQL could not be reached (yet). */
  public static boolean isConnectivity(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException || t instanceof java.net.SocketTimeoutException) {
        return true;
      }
      if (t instanceof java.sql.SQLException sql
          && sql.getSQLState() != null
          && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
        return true;
      }
    }
    return false;
  }
}
