/**
 * The HTTP layer's own metrics, appended to the node's at GET /metrics: requests and their
 * latency by route, method and status; open event streams. Label values come from the route
 * table (or "unmatched"), so cardinality stays bounded. One prom-client Registry per API
 * instance (never the global one: several nodes can share a process).
 */
import { performance } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Request latency buckets (seconds): reads ~0.1-1 ms, writes wait for a commit (ms to seconds). */
export const REQUEST_BUCKETS_S = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Method label values; anything else is "other" (a client cannot grow the label set). */
const METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

/** Counters kept by one HTTP API instance. */
export class HttpMetrics {
  readonly registry = new Registry();
  /** Open event streams (/logs/stream and /stats/stream responses). */
  streamsOpen = 0;
  /** Streams cut off because their consumer fell behind. */
  streamsCut = 0;
  readonly #requests: Counter<'route' | 'status'>;
  readonly #latency: Histogram<'route' | 'method'>;

  constructor() {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'logcluster_http_requests_total',
      help: 'HTTP requests answered, by route and status.',
      labelNames: ['route', 'status'],
      registers,
    });
    this.#latency = new Histogram({
      name: 'logcluster_http_request_duration_seconds',
      help: 'Time to answer a request, by route and method (streams: until the stream opened).',
      labelNames: ['route', 'method'],
      buckets: REQUEST_BUCKETS_S,
      registers,
    });
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
    this.#requests.inc({ route, status: String(status) });
    if (startedMs !== undefined) {
      const known = method !== undefined && METHODS.has(method) ? method : 'other';
      this.#latency.observe({ route, method: known }, (performance.now() - startedMs) / 1000);
    }
  }

  /** Prometheus text exposition format 0.0.4, without prom-client's blank separator lines. */
  async text(): Promise<string> {
    return (await this.registry.metrics()).replace(/\n{2,}/g, '\n');
  }
}
