// The load generator of bench/watch.sh, JDK only: java bench/watch/WatchLoad.java [options]
//
// Against one node it opens --streams unfiltered event streams (GET /api/v1/events/) and
// --polls long polls (GET /api/v1/tasks/{id}/?wait=--poll-wait on the ids --poll-first ..
// --poll-first + --polls - 1, tasks that stay unfinished; each poll is sent again when it is
// answered), then creates tasks at --rate / 3 per second for --seconds (each task is three changes:
// new, processing, done or failed), then waits until every stream has received the three events of
// every task created, and prints what it saw as "WATCH key=value" lines:
//   - per stream, how many task events it received (distinct counts with how many streams had each:
//     the caller compares them with the history rows of the tasks created);
//   - latency from the change to the bytes arriving here: now minus the event's updated_at (the
//     database's clock; same machine), p50/p99/max over every event of the --probes first streams
//     (default 50), which a selector thread of their own reads;
//   - long polls answered before their wait ran out (their task never finishes: any early answer is
//     wrong) and answered at the end of the wait, errors, connections the server closed;
//   - with --pid: the node's process CPU time during the change window (/proc/<pid>/stat), and with
//     --memory its heap after a full GC (jcmd GC.run, GC.heap_info) and RSS once every watcher is
//     open; /metrics before and after (tasks_event_streams, tasks_long_polls,
//     tasks_event_streams_dropped_total).
// Connections are plain non-blocking sockets over a few selector threads (--threads): thousands of
// HTTP/1.1 streams cost a file descriptor and a few hundred bytes each here.
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

public final class WatchLoad {
  // ---------------------------------------------------------------------------------------------
  // Options
  // ---------------------------------------------------------------------------------------------
  static String host = "127.0.0.1";
  static int port = 18090;
  static int streams = 2000;
  static int polls = 2000;
  static long pollFirst = 1;
  static double pollWait = 30;
  static double rate = 200;
  static double seconds = 60;
  static int threads = 2;
  static long pid = -1;
  static boolean memory = false;
  static double settleSeconds = 30;
  static int clkTck = 100;
  static double warmup = 5;
  static int probes = 50;

  public static void main(String[] args) throws Exception {
    for (int i = 0; i < args.length; i += 2) {
      String v = i + 1 < args.length ? args[i + 1] : "";
      switch (args[i]) {
        case "--url" -> {
          URI u = URI.create(v);
          host = u.getHost();
          port = u.getPort();
        }
        case "--streams" -> streams = Integer.parseInt(v);
        case "--polls" -> polls = Integer.parseInt(v);
        case "--poll-first" -> pollFirst = Long.parseLong(v);
        case "--poll-wait" -> pollWait = Double.parseDouble(v);
        case "--rate" -> rate = Double.parseDouble(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--pid" -> pid = Long.parseLong(v);
        case "--memory" -> {
          memory = true;
          i--;
        }
        case "--settle" -> settleSeconds = Double.parseDouble(v);
        case "--clk-tck" -> clkTck = Integer.parseInt(v);
        case "--warmup" -> warmup = Double.parseDouble(v);
        case "--probes" -> probes = Integer.parseInt(v);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    new WatchLoad().run();
  }

  static void out(String key, Object value) {
    System.out.println("WATCH " + key + "=" + value);
    System.out.flush();
  }

  static void note(String text) {
    System.err.printf("[watch %tT] %s%n", System.currentTimeMillis(), text);
  }

  // ---------------------------------------------------------------------------------------------
  // Latency histogram: 100 µs buckets up to 120 s, one per selector thread (merged at the end)
  // ---------------------------------------------------------------------------------------------
  static final int BUCKET_US = 100;
  static final int BUCKETS = 1_200_000;

  static final class Histogram {
    final int[] counts = new int[BUCKETS + 1];
    long n;
    long maxUs;
    long negative;

    void add(long us) {
      if (us < 0) {
        negative++;
        us = 0;
      }
      n++;
      if (us > maxUs) {
        maxUs = us;
      }
      counts[(int) Math.min(us / BUCKET_US, BUCKETS)]++;
    }

    void reset() {
      java.util.Arrays.fill(counts, 0);
      n = 0;
      maxUs = 0;
      negative = 0;
    }

    void merge(Histogram o) {
      for (int i = 0; i <= BUCKETS; i++) {
        counts[i] += o.counts[i];
      }
      n += o.n;
      maxUs = Math.max(maxUs, o.maxUs);
      negative += o.negative;
    }

    /** The upper edge of the bucket holding quantile q, in ms. */
    double quantileMs(double q) {
      if (n == 0) {
        return Double.NaN;
      }
      long rank = (long) Math.ceil(q * n);
      long seen = 0;
      for (int i = 0; i <= BUCKETS; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return Math.min((i + 1) * (double) BUCKET_US, maxUs) / 1000.0;
        }
      }
      return maxUs / 1000.0;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // updated_at ("2026-12-03T08:21:07.123456Z", microseconds left out when zero) to epoch µs
  // ---------------------------------------------------------------------------------------------
  static final class Clock {
    private final byte[] day = new byte[10];
    private long dayMicros = Long.MIN_VALUE;

    long parse(byte[] b, int from, int to) {
      if (to - from < 20) {
        return Long.MIN_VALUE;
      }
      boolean same = dayMicros != Long.MIN_VALUE;
      for (int i = 0; i < 10 && same; i++) {
        same = b[from + i] == day[i];
      }
      if (!same) {
        System.arraycopy(b, from, day, 0, 10);
        LocalDate d =
            LocalDate.of(num(b, from, 4), num(b, from + 5, 2), num(b, from + 8, 2));
        dayMicros = d.toEpochDay() * 86_400_000_000L;
      }
      long micros =
          dayMicros
              + (num(b, from + 11, 2) * 3600L + num(b, from + 14, 2) * 60L + num(b, from + 17, 2))
                  * 1_000_000L;
      if (b[from + 19] == '.') {
        int frac = 0;
        int digits = 0;
        for (int i = from + 20; i < to && b[i] >= '0' && b[i] <= '9'; i++) {
          frac = frac * 10 + (b[i] - '0');
          digits++;
        }
        for (; digits < 6; digits++) {
          frac *= 10;
        }
        micros += frac;
      }
      return micros;
    }

    private static int num(byte[] b, int from, int len) {
      int v = 0;
      for (int i = 0; i < len; i++) {
        v = v * 10 + (b[from + i] - '0');
      }
      return v;
    }
  }

  static long nowMicros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
  }

  // ---------------------------------------------------------------------------------------------
  // Connections
  // ---------------------------------------------------------------------------------------------
  abstract static class Conn {
    final Loop loop;
    SocketChannel channel;
    // response parsing
    final ByteArrayOutputStream head = new ByteArrayOutputStream(256);
    boolean inHead = true;
    int tail; // the last four bytes of the head
    int status;
    boolean chunked;
    long contentLeft;
    int chunkState; // 0 size line, 1 data, 2 CR LF after data
    long chunkLeft;
    final StringBuilder sizeLine = new StringBuilder();
    boolean closed;

    Conn(Loop loop) {
      this.loop = loop;
    }

    abstract String request();

    abstract void body(byte[] b, int from, int to, long now);

    abstract void responseEnd(long now);

    abstract void lost();

    void feed(byte[] b, int from, int to, long now) {
      int i = from;
      while (i < to) {
        if (inHead) {
          head.write(b[i]);
          tail = (tail << 8) | (b[i] & 0xff);
          i++;
          if (tail == 0x0d0a0d0a) {
            byte[] h = head.toByteArray();
            String text = new String(h, StandardCharsets.ISO_8859_1);
            head.reset();
            tail = 0;
            inHead = false;
            status = Integer.parseInt(text.substring(9, 12));
            String lower = text.toLowerCase();
            chunked = lower.contains("transfer-encoding: chunked");
            Matcher m = CONTENT_LENGTH.matcher(lower);
            contentLeft = m.find() ? Long.parseLong(m.group(1)) : 0;
            chunkState = 0;
            if (!chunked && contentLeft == 0) {
              endResponse(now);
            }
          }
          continue;
        }
        if (!chunked) {
          int take = (int) Math.min(contentLeft, to - i);
          body(b, i, i + take, now);
          i += take;
          contentLeft -= take;
          if (contentLeft == 0) {
            endResponse(now);
          }
          continue;
        }
        switch (chunkState) {
          case 0 -> {
            byte c = b[i++];
            if (c == '\n') {
              String s = sizeLine.toString().trim();
              int semi = s.indexOf(';');
              chunkLeft = Long.parseLong(semi < 0 ? s : s.substring(0, semi), 16);
              sizeLine.setLength(0);
              if (chunkLeft == 0) {
                // the last chunk (no trailers are sent): skip its final CRLF
                chunkState = 3;
              } else {
                chunkState = 1;
              }
            } else if (c != '\r') {
              sizeLine.append((char) c);
            }
          }
          case 1 -> {
            int take = (int) Math.min(chunkLeft, to - i);
            body(b, i, i + take, now);
            i += take;
            chunkLeft -= take;
            if (chunkLeft == 0) {
              chunkState = 2;
            }
          }
          case 2 -> {
            if (b[i++] == '\n') {
              chunkState = 0;
            }
          }
          default -> {
            if (b[i++] == '\n') {
              endResponse(now);
            }
          }
        }
      }
    }

    private void endResponse(long now) {
      inHead = true;
      responseEnd(now);
    }

    void send() throws IOException {
      ByteBuffer req = ByteBuffer.wrap(request().getBytes(StandardCharsets.ISO_8859_1));
      while (req.hasRemaining()) {
        // small requests into an empty socket buffer: this does not spin in practice
        channel.write(req);
      }
    }

    void close() {
      if (!closed) {
        closed = true;
        try {
          channel.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
    }
  }

  static final Pattern CONTENT_LENGTH = Pattern.compile("content-length: *(\\d+)");
  static final byte[] EVENT_TASK = "event: task".getBytes(StandardCharsets.US_ASCII);
  static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);

  /** One event stream: counts its task events and measures each one's latency. */
  static final class Stream extends Conn {
    byte[] line = new byte[512];
    int len;
    boolean taskEvent;
    boolean opened; // the first bytes of the body (the position) arrived
    int events;
    int resets;

    final boolean probe;

    Stream(Loop loop, boolean probe) {
      super(loop);
      this.probe = probe;
    }

    @Override
    String request() {
      return "GET /api/v1/events/ HTTP/1.1\r\nHost: " + host + ":" + port
          + "\r\nAccept: text/event-stream\r\n\r\n";
    }

    @Override
    void body(byte[] b, int from, int to, long now) {
      opened = true;
      for (int i = from; i < to; i++) {
        byte c = b[i];
        if (c != '\n') {
          if (len == line.length) {
            line = java.util.Arrays.copyOf(line, len * 2);
          }
          line[len++] = c;
          continue;
        }
        if (len == 0) {
          taskEvent = false; // end of an event
        } else if (startsWith(EVENT_TASK) && len == EVENT_TASK.length) {
          taskEvent = true;
        } else if (startsWith("event: reset".getBytes(StandardCharsets.US_ASCII))) {
          resets++;
        } else if (taskEvent && startsWith(DATA)) {
          events++;
          // {"id":…,…,"updated_at":"2026-12-03T08:21:07.123456Z"}: the last field
          int end = len - 2; // before "}
          if (end > 0 && line[len - 1] == '}' && line[end] == '"') {
            int start = end - 1;
            while (start > 0 && line[start] != '"') {
              start--;
            }
            long at = probe ? loop.clock.parse(line, start + 1, end) : Long.MIN_VALUE;
            if (at != Long.MIN_VALUE) {
              loop.latency.add(now - at);
            }
          }
        }
        len = 0;
      }
    }

    private boolean startsWith(byte[] prefix) {
      if (len < prefix.length) {
        return false;
      }
      for (int i = 0; i < prefix.length; i++) {
        if (line[i] != prefix[i]) {
          return false;
        }
      }
      return true;
    }

    @Override
    void responseEnd(long now) {
      // the server ended the stream
      lost();
    }

    @Override
    void lost() {
      if (!closed && !loop.stopping) {
        STREAMS_LOST.incrementAndGet();
      }
      close();
    }
  }

  /** One long poll, sent again as soon as it is answered. */
  static final class Poll extends Conn {
    final long taskId;
    long sentAt;

    Poll(Loop loop, long taskId) {
      super(loop);
      this.taskId = taskId;
    }

    @Override
    String request() {
      sentAt = System.nanoTime();
      return "GET /api/v1/tasks/" + taskId + "/?wait=" + pollWait + " HTTP/1.1\r\nHost: " + host
          + ":" + port + "\r\n\r\n";
    }

    @Override
    void body(byte[] b, int from, int to, long now) {}

    @Override
    void responseEnd(long now) {
      double waited = (System.nanoTime() - sentAt) / 1e9;
      if (status != 200) {
        POLL_ERRORS.incrementAndGet();
      } else if (waited < pollWait - 0.5) {
        POLLS_EARLY.incrementAndGet();
      } else {
        POLLS_TIMED_OUT.incrementAndGet();
      }
      if (!loop.stopping) {
        try {
          send();
        } catch (IOException e) {
          lost();
        }
      }
    }

    @Override
    void lost() {
      if (!closed && !loop.stopping) {
        POLLS_LOST.incrementAndGet();
      }
      close();
    }
  }

  static final AtomicLong STREAMS_LOST = new AtomicLong();
  static final AtomicLong POLLS_LOST = new AtomicLong();
  static final AtomicLong POLLS_EARLY = new AtomicLong();
  static final AtomicLong POLLS_TIMED_OUT = new AtomicLong();
  static final AtomicLong POLL_ERRORS = new AtomicLong();

  /** One selector thread and the connections it serves. */
  static final class Loop implements Runnable {
    final Selector selector;
    final ConcurrentLinkedQueue<Conn> pending = new ConcurrentLinkedQueue<>();
    final Histogram latency = new Histogram();
    final Clock clock = new Clock();
    final ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
    final byte[] bytes = new byte[256 * 1024];
    volatile boolean stopping;
    volatile boolean done;

    Loop() throws IOException {
      selector = Selector.open();
    }

    void open(Conn conn) {
      pending.add(conn);
      selector.wakeup();
    }

    @Override
    public void run() {
      try {
        while (!done) {
          selector.select(100);
          Conn c;
          while ((c = pending.poll()) != null) {
            try {
              c.channel = SocketChannel.open();
              c.channel.configureBlocking(false);
              c.channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
              c.channel.connect(new InetSocketAddress(host, port));
              c.channel.register(selector, SelectionKey.OP_CONNECT, c);
            } catch (IOException e) {
              c.lost();
            }
          }
          for (SelectionKey key : selector.selectedKeys()) {
            Conn conn = (Conn) key.attachment();
            try {
              if (key.isConnectable()) {
                conn.channel.finishConnect();
                key.interestOps(SelectionKey.OP_READ);
                conn.send();
              } else if (key.isReadable()) {
                buffer.clear();
                int n = conn.channel.read(buffer);
                if (n < 0) {
                  key.cancel();
                  conn.lost();
                  continue;
                }
                buffer.flip();
                buffer.get(bytes, 0, n);
                conn.feed(bytes, 0, n, nowMicros());
              }
            } catch (IOException | RuntimeException e) {
              key.cancel();
              conn.lost();
            }
          }
          selector.selectedKeys().clear();
        }
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The node: /metrics, /proc, jcmd
  // ---------------------------------------------------------------------------------------------
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .executor(Executors.newFixedThreadPool(2))
          .build();

  Map<String, Double> metrics() {
    Map<String, Double> m = new TreeMap<>();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      for (String line : r.body().split("\n")) {
        if (line.startsWith("tasks_event_streams") || line.startsWith("tasks_long_polls")) {
          String[] kv = line.split(" ");
          m.put(kv[0], Double.parseDouble(kv[kv.length - 1]));
        }
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      note("/metrics failed: " + e);
    }
    return m;
  }

  static double metric(Map<String, Double> m, String name) {
    return m.getOrDefault(name, Double.NaN);
  }

  static double cpuSeconds() throws IOException {
    if (pid < 0) {
      return Double.NaN;
    }
    String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after the command: state is field 3, utime 14, stime 15
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / (double) clkTck;
  }

  /** This generator's own CPU time: it shares the cores with the node. */
  static double ownCpuSeconds() {
    return ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos() / 1e9)
        .orElse(Double.NaN);
  }

  static double rssMiB() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }

  static String jcmd(String command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder("jcmd", Long.toString(pid), command).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return text;
  }

  static double heapAfterGcMiB() throws IOException, InterruptedException {
    jcmd("GC.run");
    Thread.sleep(1000);
    Matcher m = Pattern.compile("used (\\d+)K").matcher(jcmd("GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) / 1024.0 : Double.NaN;
  }

  // ---------------------------------------------------------------------------------------------
  // The run
  // ---------------------------------------------------------------------------------------------
  static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

  void run() throws Exception {
    // loop 0 reads only the probe streams, whose latencies are measured: a thread with little to
    // read is scheduled at once, so its latencies are the node's; the other loops read the rest
    // of the streams and the long polls, and may lag behind on shared cores (their bytes have left
    // the node; they are still counted)
    List<Loop> loops = new ArrayList<>();
    for (int t = 0; t <= threads; t++) {
      Loop loop = new Loop();
      loops.add(loop);
      Thread thread = new Thread(loop, "watch-loop-" + t);
      thread.setDaemon(true);
      thread.start();
    }
    // open the streams in waves, so that the node's accept queue never overflows
    List<Stream> all = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < streams; i++) {
      Stream s =
          i < probes
              ? new Stream(loops.get(0), true)
              : new Stream(loops.get(1 + i % threads), false);
      all.add(s);
      s.loop.open(s);
      if (i % 200 == 199) {
        waitOpened(all, 10);
      }
    }
    waitOpened(all, 30);
    long opened = all.stream().filter(s -> s.opened).count();
    note(opened + " of " + streams + " streams open in "
        + String.format("%.1f", (System.nanoTime() - t0) / 1e9) + " s");
    List<Poll> pollConns = new ArrayList<>();
    for (int i = 0; i < polls; i++) {
      Poll p = new Poll(loops.get(1 + i % threads), pollFirst + i);
      pollConns.add(p);
      p.loop.open(p);
      if (i % 200 == 199) {
        Thread.sleep(50);
      }
    }
    // every watcher registered on the node?
    Map<String, Double> before = metrics();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline
        && (metric(before, "tasks_event_streams") < streams
            || metric(before, "tasks_long_polls") < polls)) {
      Thread.sleep(200);
      before = metrics();
    }
    note("node reports " + (long) metric(before, "tasks_event_streams") + " streams, "
        + (long) metric(before, "tasks_long_polls") + " long polls");
    out("streams_open", opened);
    out("node_streams_before", (long) metric(before, "tasks_event_streams"));
    out("node_long_polls_before", (long) metric(before, "tasks_long_polls"));
    if (memory && pid > 0) {
      out("heap_after_gc_mib", String.format("%.1f", heapAfterGcMiB()));
      out("rss_mib", String.format("%.1f", rssMiB()));
    }

    // Warm-up: the same changes for --warmup seconds, until every stream has them all, then the
    // counts and latencies start from zero (this generator's parser runs interpreted at first and
    // would otherwise add its own backlog to the first seconds' latencies).
    if (warmup > 0 && streams > 0) {
      Drive w = drive(warmup);
      w.finish();
      settle(all, w.created.get() * 3, 10);
      for (Stream s : all) {
        s.events = 0;
      }
      for (Loop loop : loops) {
        loop.latency.reset();
      }
      note("warm-up: " + w.created.get() + " tasks created");
    }
    double cpu0 = cpuSeconds();
    double loadCpu0 = ownCpuSeconds();
    long start = System.nanoTime();
    long startWall = System.currentTimeMillis();
    Drive d = drive(seconds);
    AtomicLong created = d.created;
    AtomicLong createFailed = d.createFailed;
    AtomicLong minId = d.minId;
    AtomicLong maxId = d.maxId;
    double cpu1 = cpuSeconds();
    double loadCpu1 = ownCpuSeconds();
    double window = (System.nanoTime() - start) / 1e9;
    d.finish();
    Map<String, Double> during = metrics();
    // every stream should now get the three events of every task created
    long settleStart = System.nanoTime();
    long expected = created.get() * 3;
    settle(all, expected, settleSeconds);
    double settled = (System.nanoTime() - settleStart) / 1e9;
    Map<String, Double> after = metrics();
    for (Loop loop : loops) {
      loop.stopping = true;
    }
    Thread.sleep(200);

    Histogram h = new Histogram();
    for (Loop loop : loops) {
      h.merge(loop.latency);
    }
    TreeMap<Integer, Integer> counts = new TreeMap<>();
    long resets = 0;
    for (Stream s : all) {
      counts.merge(s.events, 1, Integer::sum);
      resets += s.resets;
    }
    StringBuilder countText = new StringBuilder();
    counts.forEach((k, v) -> countText.append(countText.length() == 0 ? "" : ",").append(k)
        .append('x').append(v));
    out("window_start_ms", startWall);
    out("window_s", String.format("%.2f", window));
    out("created", created.get());
    out("create_failed", createFailed.get());
    out("changes_per_s", String.format("%.1f", created.get() * 3 / window));
    out("first_id", minId.get() == Long.MAX_VALUE ? 0 : minId.get());
    out("last_id", maxId.get());
    out("expected_per_stream", expected);
    out("stream_counts", countText.length() == 0 ? "none" : countText);
    out("streams_below_expected",
        all.stream().filter(s -> s.events < expected).count());
    out("streams_min", all.stream().mapToInt(s -> s.events).min().orElse(0));
    out("streams_max", all.stream().mapToInt(s -> s.events).max().orElse(0));
    out("streams_lost", STREAMS_LOST.get());
    out("stream_resets", resets);
    out("settle_s", String.format("%.2f", settled));
    out("probes", Math.min(probes, streams));
    out("events", h.n);
    out("latency_p50_ms", String.format("%.1f", h.quantileMs(0.50)));
    out("latency_p99_ms", String.format("%.1f", h.quantileMs(0.99)));
    out("latency_max_ms", String.format("%.1f", h.maxUs / 1000.0));
    out("latency_negative", h.negative);
    out("polls_early", POLLS_EARLY.get());
    out("polls_timed_out", POLLS_TIMED_OUT.get());
    out("poll_errors", POLL_ERRORS.get());
    out("polls_lost", POLLS_LOST.get());
    out("node_long_polls_end", (long) metric(during, "tasks_long_polls"));
    out("node_streams_end", (long) metric(during, "tasks_event_streams"));
    out("dropped_during",
        (long) (metric(after, "tasks_event_streams_dropped_total")
            - metric(before, "tasks_event_streams_dropped_total")));
    out("load_cpu_per_s", String.format("%.4f", (loadCpu1 - loadCpu0) / window));
    if (pid > 0) {
      out("cpu_s", String.format("%.2f", cpu1 - cpu0));
      out("cpu_per_s", String.format("%.4f", (cpu1 - cpu0) / window));
    }
    for (Loop loop : loops) {
      loop.done = true;
    }
    for (Stream s : all) {
      s.close();
    }
    for (Poll p : pollConns) {
      p.close();
    }
    System.exit(0);
  }

  /** Creates at rate / 3 per second for a while, from a scheduler thread. */
  final class Drive {
    final AtomicLong created = new AtomicLong();
    final AtomicLong createFailed = new AtomicLong();
    final AtomicLong inFlight = new AtomicLong();
    final AtomicLong minId = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong maxId = new AtomicLong();
    final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();

    void start(long end) {
      long periodNs = (long) (1e9 / (rate / 3));
      URI create = URI.create("http://" + host + ":" + port + "/api/v1/tasks/");
      ticker.scheduleAtFixedRate(
          () -> {
            if (System.nanoTime() >= end) {
              return;
            }
            inFlight.incrementAndGet();
            HttpRequest req =
                HttpRequest.newBuilder(create)
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"title\":\"watch " + SEQ.incrementAndGet() + "\"}"))
                    .build();
            http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .whenComplete(
                    (r, e) -> {
                      inFlight.decrementAndGet();
                      if (e != null || r.statusCode() != 201) {
                        createFailed.incrementAndGet();
                        return;
                      }
                      created.incrementAndGet();
                      Matcher m = ID.matcher(r.body());
                      if (m.find()) {
                        long id = Long.parseLong(m.group(1));
                        minId.accumulateAndGet(id, Math::min);
                        maxId.accumulateAndGet(id, Math::max);
                      }
                    });
          },
          0,
          periodNs,
          TimeUnit.NANOSECONDS);
    }

    /** Stops creating and waits (at most 30 s) for the answers of the creates sent. */
    void finish() throws InterruptedException {
      ticker.shutdown();
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (inFlight.get() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    }
  }

  static final AtomicLong SEQ = new AtomicLong();

  /** Drives changes for {@code seconds}; returns when the time is up (creates may be in flight). */
  Drive drive(double seconds) throws InterruptedException {
    Drive d = new Drive();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    d.start(end);
    long sleep = end - System.nanoTime();
    if (sleep > 0) {
      TimeUnit.NANOSECONDS.sleep(sleep);
    }
    return d;
  }

  /**
   * Waits until every open stream has at least {@code expected} events and no further event came
   * for 2 s (tasks whose create failed at the client may still have been created: the caller counts
   * the history), or {@code maxSeconds} have passed.
   */
  private static void settle(List<Stream> all, long expected, double maxSeconds)
      throws InterruptedException {
    long settleEnd = System.nanoTime() + (long) (maxSeconds * 1e9);
    long lastTotal = -1;
    long quietSince = System.nanoTime();
    while (System.nanoTime() < settleEnd) {
      boolean behind = false;
      long total = 0;
      for (Stream s : all) {
        total += s.events;
        if (!s.closed && s.events < expected) {
          behind = true;
        }
      }
      if (total != lastTotal) {
        lastTotal = total;
        quietSince = System.nanoTime();
      }
      if (!behind && System.nanoTime() - quietSince >= 2_000_000_000L) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private static void waitOpened(List<Stream> all, double maxSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + (long) (maxSeconds * 1e9);
    while (System.nanoTime() < deadline) {
      boolean waiting = false;
      for (Stream s : all) {
        if (!s.opened && !s.closed) {
          waiting = true;
          break;
        }
      }
      if (!waiting) {
        return;
      }
      Thread.sleep(20);
    }
  }
}
