/**
 * `logcluster write`: appends one entry (the message as an argument) or, with `-`, every line of
 * stdin as an entry, in batches of WRITE_BATCH_LINES (one consensus round each). Each entry gets
 * an idempotent id from the client, so a retried batch is never stored twice.
 */
import { createInterface } from 'node:readline';
import { LogClusterError } from '../../lib/index.js';
import { defineCommand, STDIN_ARG } from '../command.js';
import { clusterClient, type GlobalArgs, keyValues, type Output, output } from '../context.js';

/** Lines per batch: large enough to amortize a round trip and an fsync, well under the server's batch bound. */
export const WRITE_BATCH_LINES = 500;
/** The progress line is redrawn at most this often (a redraw per batch would flicker). */
const PROGRESS_INTERVAL_MS = 100;

interface WriteArgs extends GlobalArgs {
  readonly message: string[];
  readonly level?: string;
  readonly source?: string;
  readonly label?: string[];
  readonly id?: string;
  readonly format: 'text' | 'ndjson';
}

type Entry = Record<string, unknown>;

function entryFrom(args: WriteArgs, message: string): Entry {
  const labels = keyValues('--label', args.label);
  return {
    message,
    ...(args.level === undefined ? {} : { level: args.level }),
    ...(args.source === undefined ? {} : { source: args.source }),
    ...(Object.keys(labels).length === 0 ? {} : { labels }),
  };
}

export const writeCommand = defineCommand<WriteArgs>({
  command: 'write <message..>',
  describe: 'append a log entry, or every line of stdin with `-`',
  builder: (y) =>
    y
      .positional('message', {
        type: 'string',
        array: true,
        describe: 'the message, or - to read lines from stdin',
      })
      .option('level', {
        type: 'string',
        describe: 'trace, debug, info, warn, error or fatal (default info)',
      })
      .option('source', { type: 'string', describe: 'where the entry comes from (default "unknown")' })
      .option('label', { type: 'string', array: true, describe: 'a label key=value (repeatable)' })
      .option('id', {
        type: 'string',
        describe: 'idempotency key of a single entry (a retry with it is stored once)',
      })
      .option('format', {
        choices: ['text', 'ndjson'] as const,
        default: 'text' as const,
        describe: 'stdin lines are messages (text) or JSON entries (ndjson)',
      }),
  examples: [
    ['$0 write "user signed in" --level info --source auth', 'append one entry'],
    ['$0 write "disk almost full" --level warn --label host=web1', 'with a label'],
    ['tail -f app.log | $0 write - --source app', 'stream lines from stdin, batched'],
    ['$0 write - --format ndjson < entries.ndjson', 'one JSON entry per line'],
  ],
  handler: async (args) => {
    const out = output(args);
    const client = await clusterClient(args);
    try {
      if (args.message.length === 1 && args.message[0] === STDIN_ARG) await writeStdin(out, client, args);
      else await writeOne(out, client, args);
    } finally {
      client.close();
    }
  },
});

type Client = Awaited<ReturnType<typeof clusterClient>>;

async function writeOne(out: Output, client: Client, args: WriteArgs): Promise<void> {
  const entry = entryFrom(args, args.message.map((m) => (m === STDIN_ARG ? '-' : m)).join(' '));
  if (args.id !== undefined) entry.id = args.id;
  const result = (await client.write(entry as never)) as unknown as Record<string, unknown>;
  if (out.json) out.data(result);
  else {
    const dup = result.duplicate ? out.color.yellow(' (duplicate: already stored)') : '';
    out.line(
      `${out.color.green('stored')} ${result.file_path} index ${result.index} term ${result.term}${dup}`,
    );
  }
}

function parseLine(args: WriteArgs, line: string, lineNumber: number): Entry {
  if (args.format === 'text') return entryFrom(args, line);
  try {
    const value = JSON.parse(line) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Entry;
  } catch {
    // reported below
  }
  throw new LogClusterError('INVALID_ENTRY', `stdin line ${lineNumber} is not a JSON object`, {
    line: lineNumber,
  });
}

async function writeStdin(out: Output, client: Client, args: WriteArgs): Promise<void> {
  const progress = process.stderr.isTTY === true && !out.json;
  let written = 0;
  let skipped = 0;
  let lineNumber = 0;
  let lastDraw = 0;
  let batch: Entry[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const entries = batch;
    batch = [];
    await client.write(entries as never);
    written += entries.length;
    if (progress && Date.now() - lastDraw >= PROGRESS_INTERVAL_MS) {
      lastDraw = Date.now();
      process.stderr.write(`\r${out.color.dim(`writing... ${written} entries`)}`);
    }
  };
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === '') {
      skipped += 1;
      continue;
    }
    batch.push(parseLine(args, line, lineNumber));
    if (batch.length >= WRITE_BATCH_LINES) await flush();
  }
  await flush();
  if (progress) process.stderr.write('\r\x1b[2K');
  if (out.json) out.data({ success: true, written, skipped });
  else
    out.line(
      `${out.color.green('wrote')} ${written} entries${skipped ? ` (${skipped} empty lines skipped)` : ''}`,
    );
}
