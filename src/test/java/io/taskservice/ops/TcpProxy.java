package io.taskservice.ops;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy in front of PostgreSQL that a test can break in two ways: {@link #cut} (every
 * connection closed, new ones refused: the database host went away) and {@link #blackhole}
 * (connections accepted, not a byte passes: a silent network), each undone by {@link #restore}. It
 * may also hold every chunk for a while each way ({@link #latency}), as a network between the
 * service and its database does.
 */
public final class TcpProxy {
  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final NetClient client;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile NetServer server;
  private volatile boolean blackholed;
  private volatile long latencyMs;
  private int port;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
    this.client = vertx.createNetClient();
  }

  /** Starts listening on a free port. */
  public Future<Integer> start() {
    return listen(0).map(p -> port = p);
  }

  public int port() {
    return port;
  }

  /** Closes every connection and stops listening: new connections are refused. */
  public Future<Void> cut() {
    NetServer listening = server;
    server = null;
    Future<Void> closed = listening == null ? Future.succeededFuture() : listening.close();
    return closed.compose(
        v -> {
          List<Future<Void>> closing = new ArrayList<>();
          sockets.forEach(s -> closing.add(s.close()));
          return Future.join(closing).mapEmpty();
        });
  }

  /** Delays every chunk by {@code ms} each way from now on (in order); 0 passes them at once. */
  public void latency(long ms) {
    latencyMs = ms;
  }

  /** Holds every byte, both ways, on old and new connections. */
  public void blackhole() {
    blackholed = true;
    sockets.forEach(NetSocket::pause);
  }

  /** Undoes {@link #cut} or {@link #blackhole}. */
  public Future<Void> restore() {
    if (blackholed) {
      blackholed = false;
      sockets.forEach(NetSocket::resume);
    }
    return server == null ? listen(port).mapEmpty() : Future.succeededFuture();
  }

  public Future<Void> close() {
    return cut().eventually(client::close);
  }

  private Future<Integer> listen(int at) {
    NetServer created = vertx.createNetServer().connectHandler(this::accept);
    return created
        .listen(at, "127.0.0.1")
        .map(
            s -> {
              server = s;
              return s.actualPort();
            });
  }

  private void accept(NetSocket downstream) {
    downstream.pause();
    sockets.add(downstream);
    client
        .connect(targetPort, targetHost)
        .onSuccess(
            upstream -> {
              sockets.add(upstream);
              link(downstream, upstream);
              link(upstream, downstream);
              if (blackholed) {
                upstream.pause();
              } else {
                downstream.resume();
              }
            })
        .onFailure(e -> downstream.close());
  }

  private void link(NetSocket from, NetSocket to) {
    from.handler(
        data -> {
          long delay = latencyMs;
          if (delay > 0) {
            // timers of one delay set in order fire in order: the stream stays in order
            vertx.setTimer(delay, t -> to.write(data));
          } else {
            to.write(data);
          }
        });
    from.closeHandler(
        v -> {
          sockets.remove(from);
          to.close();
        });
  }
}
