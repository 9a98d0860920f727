/**
 * `logcluster query`: committed entries matching filters, as a table or JSON; `--all` follows
 * the `next_after` cursor through every page, `--count` prints only how many matched.
 */
import type { Argv } from 'yargs';
import type { LogLevel, LogQuery } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { clusterClient, type GlobalArgs, keyValues, output } from '../context.js';
import { type EntryView, level, table } from '../format.js';

/** The filter flags shared by query and tail. */
export interface FilterArgs extends GlobalArgs {
  readonly level?: string;
  readonly minLevel?: string;
  readonly source?: string;
  readonly since?: string;
  readonly until?: string;
  readonly contains?: string;
  readonly label?: string[];
}

interface QueryArgs extends FilterArgs {
  readonly after?: number;
  readonly limit?: number;
  readonly order: 'asc' | 'desc';
  readonly all: boolean;
  readonly count: boolean;
}

/** Adds the filter flags (API.md GET /logs). */
export function filterOptions(y: Argv): Argv {
  return y
    .option('level', { type: 'string', describe: 'one level or a comma list (error,fatal)' })
    .option('min-level', { type: 'string', describe: 'this level and more severe' })
    .option('source', { type: 'string', describe: 'entries from this source' })
    .option('since', { type: 'string', describe: 'ISO time, epoch ms, or relative like 15m, 2h' })
    .option('until', { type: 'string', describe: 'ISO time, epoch ms, or relative' })
    .option('contains', { type: 'string', describe: 'substring of the message' })
    .option('label', { type: 'string', array: true, describe: 'label key=value (repeatable)' });
}

/** The filters as a LogQuery (API.md GET /logs). */
export function filters(args: FilterArgs): LogQuery {
  const labels = keyValues('--label', args.label);
  const levels = args.level
    ?.split(',')
    .map((l) => l.trim())
    .filter((l) => l !== '') as LogLevel[] | undefined;
  const query: Record<string, unknown> = {
    level: levels,
    min_level: args.minLevel,
    source: args.source,
    since: args.since,
    until: args.until,
    contains: args.contains,
    labels: Object.keys(labels).length === 0 ? undefined : labels,
  };
  for (const key of Object.keys(query)) if (query[key] === undefined) delete query[key];
  return query as LogQuery;
}

/** An entry as a table row. */
export function entryRow(color: Parameters<typeof level>[0], e: EntryView): unknown[] {
  const data = e.original_data ?? {};
  const time = e.timestamp === undefined ? '' : new Date(e.timestamp).toISOString();
  return [e.index, time, level(color, data.level), data.source ?? '', data.message ?? ''];
}

export const queryCommand = defineCommand<QueryArgs>({
  command: 'query',
  describe: 'find committed entries by level, source, time, text or label',
  builder: (y) =>
    filterOptions(y)
      .option('after', { type: 'number', describe: 'only entries after this index (the next_after cursor)' })
      .option('limit', { type: 'number', describe: 'entries per page (server default 100)' })
      .option('order', { choices: ['asc', 'desc'] as const, default: 'asc' as const, describe: 'by index' })
      .option('all', { type: 'boolean', default: false, describe: 'follow next_after through every page' })
      .option('count', {
        type: 'boolean',
        default: false,
        describe: 'print only how many entries matched (implies --all)',
      }),
  examples: [
    ['$0 query --level error,fatal --since 1h', 'errors of the last hour'],
    ['$0 query --source auth --contains "signed in" --json', 'as JSON'],
    ['$0 query --label host=web1 --order desc --limit 20', 'the 20 latest of one host'],
    ['$0 query --all --count', 'how many entries the cluster holds'],
  ],
  handler: async (args) => {
    const out = output(args);
    const client = await clusterClient(args);
    const entries: EntryView[] = [];
    let count = 0;
    let after = args.after;
    let nextAfter: number | null = null;
    try {
      for (;;) {
        const page = await client.query({
          ...filters(args),
          ...(after === undefined ? {} : { after }),
          ...(args.limit === undefined ? {} : { limit: args.limit }),
          order: args.order,
        });
        count += page.entries.length;
        if (!args.count) entries.push(...page.entries);
        nextAfter = page.next_after ?? null;
        if (!(args.all || args.count) || nextAfter === null || page.entries.length === 0) break;
        after = nextAfter;
      }
    } finally {
      client.close();
    }
    if (args.count) {
      if (out.json) out.data({ success: true, count });
      else out.line(String(count));
    } else if (out.json) out.data({ success: true, count, entries, next_after: nextAfter });
    else {
      out.line(
        table(
          out.color,
          ['index', 'time', 'level', 'source', 'message'],
          entries.map((e) => entryRow(out.color, e)),
        ),
      );
      const more = nextAfter !== null && !args.all ? `; more with --after ${nextAfter}` : '';
      out.line(out.color.dim(`${count} entries${more}`));
    }
  },
});
