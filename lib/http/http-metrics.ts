/**
 * The HTTP layer's own metrics, appended to the node's at GET /metrics: requests by route and
 * status, open streams. Label values come from the route table, so cardinality stays bounded.
 */

/** Counters kept by one HTTP API instance. */
export class HttpMetrics {
  #requests = new Map<string, number>();
  /** Open /logs/stream responses. */
  streamsOpen = 0;
  /** Streams cut off because their consumer fell behind. */
  streamsCut = 0;

  /** Counts one answered request. `route` is the documented path or "unmatched". */
  count(route: string, status: number): void {
    const key = `${route}\u0000${status}`;
    this.#requests.set(key, (this.#requests.get(key) ?? 0) + 1);
  }

  /** Prometheus text exposition format 0.0.4. */
  text(): string {
    const lines = [
      '# HELP logcluster_http_requests_total HTTP requests answered, by route and status.',
      '# TYPE logcluster_http_requests_total counter',
    ];
    for (const [key, value] of this.#requests) {
      const [route, status] = key.split('\u0000');
      lines.push(`logcluster_http_requests_total{route="${route}",status="${status}"} ${value}`);
    }
    lines.push(
      '# HELP logcluster_http_streams_open Open /logs/stream responses.',
      '# TYPE logcluster_http_streams_open gauge',
      `logcluster_http_streams_open ${this.streamsOpen}`,
      '# HELP logcluster_http_streams_cut_total Streams closed because the consumer fell behind.',
      '# TYPE logcluster_http_streams_cut_total counter',
      `logcluster_http_streams_cut_total ${this.streamsCut}`,
    );
    return `${lines.join('\n')}\n`;
  }
}
