// Load generator for the server suite, run in its own process so it does not share an event loop (or a core's
// worth of CPU) with the server under test. Reads its job from BENCH_LOAD (JSON), prints one JSON result line.
import autocannon from "autocannon";

const job = JSON.parse(process.env.BENCH_LOAD ?? "{}");
const result = await autocannon({
  url: job.url,
  method: "POST",
  headers: job.headers,
  body: job.body,
  connections: job.connections,
  duration: job.durationSec,
});
console.log(
  JSON.stringify({
    total: result.requests.total,
    seconds: result.duration,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p99: result.latency.p99,
  }),
);
