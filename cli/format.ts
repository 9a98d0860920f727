/**
 * How the CLI shows things: tables (cli-table3), log entries, cluster events and errors. Pure
 * functions of their input and a chalk instance, so tests can check them without a terminal.
 */
import type { ChalkInstance } from 'chalk';
import Table from 'cli-table3';
import { isLogClusterError } from '../lib/index.js';

/** A table as text; headers bold when color is on, no borders colored (copy-paste friendly). */
export function table(
  color: ChalkInstance,
  head: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const t = new Table({
    head: head.map((h) => color.bold(h)),
    style: { head: [], border: [] },
    // No rule between rows: a table of N nodes stays N+4 lines tall.
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const row of rows)
    t.push(row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))));
  return t.toString();
}

/** A Raft role, colored: leader green, followers plain, learners dim, candidates yellow. */
export function role(color: ChalkInstance, value: string | null | undefined): string {
  if (!value) return color.red('down');
  if (value === 'leader') return color.green.bold(value);
  if (value.includes('candidate')) return color.yellow(value);
  if (value === 'learner') return color.dim(value);
  return value;
}

/** A log level, padded and colored by severity. */
export function level(color: ChalkInstance, value: string | undefined): string {
  const text = (value ?? 'info').toUpperCase().padEnd(5);
  switch (value) {
    case 'fatal':
    case 'error':
      return color.red(text);
    case 'warn':
      return color.yellow(text);
    case 'debug':
    case 'trace':
      return color.dim(text);
    default:
      return color.cyan(text);
  }
}

/** The fields of a stored entry the CLI shows (API.md "Reading"). */
export interface EntryView {
  readonly file_path?: string;
  readonly id?: string;
  readonly index?: number;
  readonly timestamp?: string | number;
  readonly original_data?: {
    readonly message?: string;
    readonly level?: string;
    readonly source?: string;
    readonly labels?: Readonly<Record<string, string>>;
  };
}

/** One entry on one line: time, level, source, message, labels. */
export function entryLine(color: ChalkInstance, entry: EntryView): string {
  const data = entry.original_data ?? {};
  const time = entry.timestamp === undefined ? '' : new Date(entry.timestamp).toISOString();
  const labels = Object.entries(data.labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const parts = [
    color.dim(time),
    level(color, data.level),
    color.magenta(`[${data.source ?? 'unknown'}]`),
    data.message ?? '',
    labels === '' ? '' : color.dim(labels),
  ];
  return parts.filter((p) => p !== '').join(' ');
}

/** A cluster event as a log line: time, name, and what happened. */
export function eventLine(color: ChalkInstance, name: string, event: Record<string, unknown>): string {
  const time = color.dim(
    new Date((event.at as number | undefined) ?? Date.now()).toISOString().slice(11, 23),
  );
  switch (name) {
    case 'node-down':
      return `${time} ${color.red('node-down  ')} ${event.id} (${event.reason}: ${event.detail})`;
    case 'node-up':
      return `${time} ${color.green('node-up    ')} ${event.id} as ${event.role} (term ${event.term})`;
    case 'leader-change':
      return event.leaderId === null
        ? `${time} ${color.yellow('no-leader  ')} election in progress (was ${event.previousLeaderId ?? 'none'})`
        : `${time} ${color.green.bold('leader     ')} ${event.leaderId} (term ${event.term})`;
    case 'degraded': {
      const quorum = event.quorum ? 'writes continue' : color.red('NO QUORUM: writes wait');
      const down = (event.down as string[]).join(', ');
      return `${time} ${color.yellow('degraded   ')} down: ${down}; voters up ${event.votersUp}/${event.votersTotal}, ${quorum}`;
    }
    case 'healthy':
      return `${time} ${color.green('healthy    ')} every node is up`;
    default:
      return `${time} ${name} ${JSON.stringify(event)}`;
  }
}

/** The one stderr line for a failed command: `error CODE: message`. */
export function errorLine(error: unknown): string {
  if (isLogClusterError(error)) return `error ${error.code}: ${error.message}`;
  if (error instanceof Error) return `error INTERNAL: ${error.message}`;
  return `error INTERNAL: ${String(error)}`;
}
