-- Shared by the wrk scripts of this directory. Each thread gets a number, `tid` (1, 2, ...),
-- for seeds and unique titles. At the end of a run, print one machine-readable
-- line that bench/lib.sh (run_wrk) parses. wrk reports latencies in microseconds.
-- non2xx counts responses with status >= 400 (wrk's errors.status); socket_errors sums connect,
-- read, write errors and timeouts.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "BENCH rps=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f requests=%d non2xx=%d socket_errors=%d\n",
    summary.requests / seconds,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.requests,
    e.status,
    e.connect + e.read + e.write + e.timeout))
end
