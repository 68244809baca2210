-- wrk prints only p50/p75/p90/p99 with --latency; the budgets speak of p95, so print our own.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("GSX-LATENCY-US %d %d %d\n",
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
  io.write(string.format("GSX-ERRORS %d %d\n", e.status, e.connect + e.read + e.write + e.timeout))
end
