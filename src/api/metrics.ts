import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics. One registry per service instance so tests can run
 * several services in one process. The call plane adds its own series here.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dialbridge_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'dialbridge_http_requests_total',
      help: 'HTTP requests answered, by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'dialbridge_http_request_duration_seconds',
      help: 'Time to answer an HTTP request',
      labelNames: ['method', 'route'] as const,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'dialbridge_errors_total',
      help: 'Requests refused or failed, by kind (validation, not_found, conflict, unauthorized, internal)',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the call plane reports; read when Prometheus scrapes, nothing on the hot path. */
export interface CallPlaneStats {
  active: number;
  total: number;
  malformed: number;
  rejected: Record<number, number>;
  packetsIn: number;
  packetsOut: number;
}

export function registerCallMetrics(metrics: Metrics, read: () => CallPlaneStats): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'dialbridge_calls_active',
    help: 'Calls in progress',
    registers,
    collect() {
      this.set(read().active);
    },
  });
  new Gauge({
    name: 'dialbridge_calls_total',
    help: 'Calls offered since start (a counter, exposed as a gauge read at scrape time)',
    registers,
    collect() {
      this.set(read().total);
    },
  });
  new Gauge({
    name: 'dialbridge_sip_malformed_total',
    help: 'SIP messages that could not be parsed or routed, since start',
    registers,
    collect() {
      this.set(read().malformed);
    },
  });
  new Gauge({
    name: 'dialbridge_sip_rejected_total',
    help: 'Requests refused by the call plane, by status code, since start',
    labelNames: ['status'] as const,
    registers,
    collect() {
      for (const [status, n] of Object.entries(read().rejected)) this.set({ status }, n);
    },
  });
  new Gauge({
    name: 'dialbridge_rtp_packets_total',
    help: 'RTP packets received and sent, since start',
    labelNames: ['direction'] as const,
    registers,
    collect() {
      const s = read();
      this.set({ direction: 'in' }, s.packetsIn);
      this.set({ direction: 'out' }, s.packetsOut);
    },
  });
}

export interface ConferenceStats {
  meetings: number;
  participants: number;
  attendantCalls: number;
  lockouts: number;
}

/** Live meetings, the attendant's work, and guessing lockouts, read at scrape time. */
export function registerConferenceMetrics(metrics: Metrics, read: () => ConferenceStats): void {
  const registers = [metrics.registry];
  const gauges: [string, string, keyof ConferenceStats][] = [
    ['dialbridge_meetings_active', 'Live meetings on this node', 'meetings'],
    ['dialbridge_participants_active', 'Callers in live meetings or their lobbies', 'participants'],
    [
      'dialbridge_attendant_calls_total',
      'Calls the auto attendant took, since start',
      'attendantCalls',
    ],
    [
      'dialbridge_lockouts_total',
      'Callers locked out after failed conference ID or PIN entries, since start',
      'lockouts',
    ],
  ];
  for (const [name, help, key] of gauges) {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read()[key]);
      },
    });
  }
}

/** Webhook deliveries by state: a growing 'pending' means a receiver is down. */
export function registerQueueMetrics(
  metrics: Metrics,
  read: () => Promise<{ state: string; n: number }[]>,
): void {
  new Gauge({
    name: 'dialbridge_webhook_deliveries',
    help: 'Webhook deliveries by state (pending = queued or retrying)',
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const state of ['pending', 'delivered', 'failed']) this.set({ state }, 0);
      for (const r of await read()) this.set({ state: r.state }, r.n);
    },
  });
}
