/**
 * The request bodies the benchmark sends: entries shaped like real application logs, with a
 * 200-byte message (issue 7's figures), and a level mix skewed like real logs for the data the
 * query runs over.
 */
import { MESSAGE_BYTES } from './options.js';

/** A log line padded (or cut) to exactly `bytes` ASCII bytes; `n` varies its text. */
export function messageOf(n: number, bytes = MESSAGE_BYTES): string {
  const line = `GET /api/orders/${n} 200 in ${n % 500} ms user=${n % 10_000} trace=${(n * 2_654_435_761) % 2 ** 32} `;
  return line.length >= bytes ? line.slice(0, bytes) : line + '.'.repeat(bytes - line.length);
}

/** One single-entry POST /write body. */
export function writeBody(): string {
  return JSON.stringify({ message: messageOf(1), level: 'info', source: 'bench' });
}

/** A POST /write body of `count` entries (a batch: one consensus round). */
export function batchBody(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({ message: messageOf(i), level: 'info', source: 'bench' })),
  );
}

/** Level of the i-th loaded entry: error 2%, fatal 0.1%, warn 8%, info 60%, debug the rest. */
export function levelOf(i: number): string {
  const roll = (i * 7_919) % 1000;
  if (roll < 1) return 'fatal';
  if (roll < 21) return 'error';
  if (roll < 100) return 'warn';
  if (roll < 700) return 'info';
  return 'debug';
}

/** A batch for bulk loads: the level mix above, 50 sources, two labels. */
export function loadBody(count: number): string {
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      message: messageOf(i),
      level: levelOf(i),
      source: `service-${i % 50}`,
      labels: { env: i % 4 === 0 ? 'staging' : 'prod', region: `eu-${i % 3}` },
    })),
  );
}
