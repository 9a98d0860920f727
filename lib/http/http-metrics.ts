/**
 * The HTTP layer's own metrics, appended to the node's at GET /metrics: requests and their
 * latency by route, method and status; open event streams. Label values come from the route
 * table (or "unmatched"), so cardinality stays bounded. One prom-client Registry per API
 * instance (never the global one: several nodes can share a process). The two per-request
 * families are counted here and rendered in the same text format: prom-client's labelled
 * inc/observe cost about 1 µs a request (label hashing), a percent of a busy leader's time.
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Registry } from 'prom-client';

/** Request latency buckets (seconds): reads ~0.1-1 ms, writes wait for a commit (ms to seconds). */
export const REQUEST_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Method label values; anything else is "other" (a client cannot grow the label set). */
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

/** One (route, method) latency series. */
interface LatencySeries {
  readonly route: string;
  readonly method: string;
  /** Non-cumulative: counts[i] is the observations in (bucket i-1, bucket i]; the last is +Inf. */
  readonly counts: Float64Array;
  sumS: number;
  count: number;
}

/** One (route, status) request counter. */
interface RequestSeries {
  readonly route: string;
  readonly status: string;
  count: number;
}

const REQUESTS_NAME = 'logcluster_http_requests_total';
const LATENCY_NAME = 'logcluster_http_request_duration_seconds';

/** Counters kept by one HTTP API instance. */
export class HttpMetrics {
  readonly registry = new Registry();
  /** Open event streams (/logs/stream and /stats/stream responses). */
  streamsOpen = 0;
  /** Streams cut off because their consumer fell behind. */
  streamsCut = 0;
  readonly #requests = new Map<string, RequestSeries>();
  readonly #latency = new Map<string, LatencySeries>();

  constructor() {
    const registers = [this.registry];
    const read = () => this;
    new Gauge({
      name: 'logcluster_http_streams_open',
      help: 'Open event streams (/logs/stream, /stats/stream).',
      registers,
      collect() {
        this.set(read().streamsOpen);
      },
    });
    new Counter({
      name: 'logcluster_http_streams_cut_total',
      help: 'Streams closed because the consumer fell behind.',
      registers,
      collect() {
        this.reset();
        this.inc(read().streamsCut);
      },
    });
  }

  /**
   * Counts one answered request. `route` is the documented path or "unmatched"; `startedMs`
   * (performance.now() when the request arrived) adds its latency.
   */
  count(route: string, status: number, method?: string, startedMs?: number): void {
    const requestKey = `${route} ${status}`;
    let requests = this.#requests.get(requestKey);
    if (requests === undefined) {
      requests = { route, status: String(status), count: 0 };
      this.#requests.set(requestKey, requests);
    }
    requests.count++;
    if (startedMs === undefined) return;
    const known = method !== undefined && METHODS.has(method) ? method : 'other';
    const latencyKey = `${route} ${known}`;
    let series = this.#latency.get(latencyKey);
    if (series === undefined) {
      series = {
        route,
        method: known,
        counts: new Float64Array(REQUEST_BUCKETS_S.length + 1),
        sumS: 0,
        count: 0,
      };
      this.#latency.set(latencyKey, series);
    }
    const seconds = (performance.now() - startedMs) / 1000;
    let bucket = 0;
    while (bucket < REQUEST_BUCKETS_S.length && seconds > REQUEST_BUCKETS_S[bucket]) bucket++;
    series.counts[bucket]++;
    series.sumS += seconds;
    series.count++;
  }

  /** Prometheus text exposition format 0.0.4, without blank separator lines. */
  async text(): Promise<string> {
    const lines: string[] = [];
    lines.push(`# HELP ${REQUESTS_NAME} HTTP requests answered, by route and status.`);
    lines.push(`# TYPE ${REQUESTS_NAME} counter`);
    for (const s of this.#requests.values())
      lines.push(`${REQUESTS_NAME}{route="${escapeLabel(s.route)}",status="${s.status}"} ${s.count}`);
    lines.push(
      `# HELP ${LATENCY_NAME} Time to answer a request, by route and method (streams: until the stream opened).`,
    );
    lines.push(`# TYPE ${LATENCY_NAME} histogram`);
    for (const s of this.#latency.values()) {
      const labels = `route="${escapeLabel(s.route)}",method="${s.method}"`;
      let cumulative = 0;
      for (let i = 0; i < REQUEST_BUCKETS_S.length; i++) {
        cumulative += s.counts[i];
        lines.push(`${LATENCY_NAME}_bucket{le="${REQUEST_BUCKETS_S[i]}",${labels}} ${cumulative}`);
      }
      lines.push(`${LATENCY_NAME}_bucket{le="+Inf",${labels}} ${s.count}`);
      lines.push(`${LATENCY_NAME}_sum{${labels}} ${s.sumS}`);
      lines.push(`${LATENCY_NAME}_count{${labels}} ${s.count}`);
    }
    const others = (await this.registry.metrics()).replace(/\n{2,}/g, '\n');
    return `${lines.join('\n')}\n${others}`;
  }
}

/** A label value in the text format: backslash, double quote and newline escaped. */
function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}
