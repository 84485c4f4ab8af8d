-- wrk script of the benchmark (bench/run.py): cycles through the request paths listed, one a
-- line, in the file $WRK_PATHS, and writes the run's figures as JSON to $WRK_REPORT.

local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end

local next_index = 1

function init(args)
  -- Threads start at different places in the list, so that they do not ask in step.
  next_index = math.random(#paths)
end

function request()
  local path = paths[next_index]
  next_index = next_index % #paths + 1
  return wrk.format("GET", path)
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors
  local report = io.open(os.getenv("WRK_REPORT"), "w")
  report:write(string.format(
    '{"requests": %d, "seconds": %.3f, "bytes": %d, "requests_per_second": %.2f, ' ..
    '"latency_ms": {"mean": %.3f, "p50": %.3f, "p90": %.3f, "p99": %.3f, "max": %.3f}, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.bytes, summary.requests / seconds,
    latency.mean / 1000, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
  report:close()
end
