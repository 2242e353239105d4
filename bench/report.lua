-- Appended to every scenario script: prints one machine-readable line per run.
done = function(summary, latency, requests)
  local secs = summary.duration / 1e6
  local non2xx = summary.errors.status or 0
  io.write(string.format(
    'BENCH {"requests": %d, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, summary.requests / secs,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, non2xx))
end
