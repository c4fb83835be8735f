# task-service container image.
#
#   docker build -t task-service .
#   docker run --rm -e TASKS_DB_URL=postgresql://user:pass@db:5432/tasks -p 8000:8000 task-service
#   docker run --rm -e TASKS_DB_URL=... task-service migrate      # apply migrations and exit
#
# Works with the classic builder and with BuildKit (no BuildKit-only syntax is used).

# ---------------------------------------------------------------------------------------------
# Build stage: Maven 3.9 + JDK 17 (Ubuntu noble). Produces target/task-service.jar (shaded).
# ---------------------------------------------------------------------------------------------
FROM maven:3.9-eclipse-temurin-17 AS build

WORKDIR /build

# The local repository lives inside the build stage (not in a VOLUME the base image may
# declare), so the dependency layer below is really cached.
ENV MAVEN_OPTS="-Dmaven.repo.local=/build/.m2/repository"

# 1. Dependencies only: this layer is rebuilt only when pom.xml or .mvn/ change.
#    .mvn/jvm.config carries the --add-exports Error Prone needs on JDK 17.
#    go-offline does not fetch quite everything (the compiler's annotationProcessorPaths, i.e.
#    error_prone_core, are resolved by the package step); the rest is downloaded below.
COPY pom.xml ./
COPY .mvn/ .mvn/
RUN mvn -B -q dependency:go-offline

# 2. Sources (the settings' defaults are declared in the code).
COPY src/ src/
COPY NOTICE ./
# The tests start PostgreSQL processes, which a docker build is no place for: skip them here;
# CI runs them.
RUN mvn -B -DskipTests package \
 && test -s target/task-service.jar

# ---------------------------------------------------------------------------------------------
# Runtime stage: JRE 17 only. The tag is pinned to the Ubuntu release (noble = 24.04) because
# the bare "17-jre" tag moves to newer Ubuntu releases over time.
# ---------------------------------------------------------------------------------------------
FROM eclipse-temurin:17-jre-noble

LABEL org.opencontainers.image.title="task-service" \
      org.opencontainers.image.description="Task processing service: DRF-compatible REST API, clustered Vert.x workers, PostgreSQL"

# The eclipse-temurin Ubuntu images install curl (and wget) themselves; the HEALTHCHECK uses
# curl. Should a future base image drop it, install it rather than ship a health check that
# can never pass.
# hadolint ignore=DL3008
RUN if ! command -v curl >/dev/null 2>&1; then \
      apt-get update \
      && apt-get install -y --no-install-recommends curl \
      && rm -rf /var/lib/apt/lists/*; \
    fi \
 && groupadd --system --gid 10001 tasks \
 && useradd --system --uid 10001 --gid tasks --home-dir /app --no-create-home \
      --shell /usr/sbin/nologin tasks

WORKDIR /app
# Owned by root and read-only for the service user: the process cannot replace its own code.
COPY --from=build /build/target/task-service.jar /app/task-service.jar

# JVM flags, in three parts so each can be changed without repeating the others:
#  JAVA_MODULE_OPTS  the --add-opens/--add-exports Hazelcast 5.3 needs on Java 17 (the jar's
#                    manifest has Add-Opens/Add-Exports too; explicit flags are clearer and also
#                    hold if the jar is ever started with -cp). IPv4 stack for Hazelcast's
#                    address picking. Hazelcast system properties: log through SLF4J/logback
#                    (text or json like the rest), never phone home, and no Hazelcast shutdown
#                    hook: on SIGTERM the service itself finishes its tasks, then leaves the
#                    cluster.
#  JAVA_HEAP_OPTS    container-aware heap: 75% of the container's memory limit; die on OOM so
#                    the restart policy replaces a broken JVM instead of leaving it half alive.
#  JAVA_OPTS         empty: yours (e.g. -Xlog:gc, -XX:MaxRAMPercentage=50); it comes last, so
#                    for -XX flags it wins over the defaults above.
ENV JAVA_MODULE_OPTS="--add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.management/sun.management=ALL-UNNAMED --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED --add-exports java.base/jdk.internal.ref=ALL-UNNAMED -Djava.net.preferIPv4Stack=true -Dhazelcast.logging.type=slf4j -Dhazelcast.phone.home.enabled=false -Dhazelcast.shutdownhook.enabled=false" \
    JAVA_HEAP_OPTS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=25 -XX:+ExitOnOutOfMemoryError" \
    JAVA_OPTS=""

USER 10001:10001

# 8000: HTTP API, Swagger UI, /health/*, /metrics. 5701: Hazelcast (auto-increments to 5702...
# if taken). The Vert.x event bus uses a free port unless TASKS_CLUSTER_BUS_PORT fixes one:
# containers on the same network reach it without publishing anything.
EXPOSE 8000 5701

# Ready = database reachable, worker consuming (worker/all roles), cluster joined.
# Uses https when TASKS_TLS_CERT is set (-k: the certificate is issued for the public name,
# not 127.0.0.1). start-period covers JVM start, migrations and the Hazelcast join.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD scheme=http; \
      if [ -n "${TASKS_TLS_CERT:-}${TASKS_TLS_CERT_FILE:-}" ]; then scheme=https; fi; \
      curl -fsS -k -o /dev/null --max-time 4 "${scheme}://127.0.0.1:${TASKS_HTTP_PORT:-8000}/health/ready" || exit 1

# Docker's default, stated explicitly: the service drains on SIGTERM (stops taking work,
# finishes or hands back in-flight tasks within TASKS_SHUTDOWN_GRACE_MS, leaves the cluster).
STOPSIGNAL SIGTERM

# Exec form, so no shell stays in between: /bin/sh only expands the *_OPTS variables and then
# `exec`s java, which replaces it. java is therefore PID 1 (or the direct child of docker-init
# with `docker run --init` / compose `init: true`) and receives SIGTERM itself. The JVM
# installs its own SIGTERM handler, so the kernel's "PID 1 ignores default-action signals"
# rule does not swallow it. Arguments after the image name (or CMD) are passed to the jar:
# `docker run IMAGE migrate`. The *_OPTS values are split on spaces (no quoting inside them).
ENTRYPOINT ["/bin/sh", "-c", "exec java $JAVA_MODULE_OPTS $JAVA_HEAP_OPTS $JAVA_OPTS -jar /app/task-service.jar \"$@\"", "task-service"]
CMD []
