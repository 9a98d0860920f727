/**
 * The `logcluster` command line: global options, the command modules, and the one way errors
 * end a run (one stderr line `error CODE: message`, the registry's exit code, a stack only with
 * --verbose).
 */
import yargs from 'yargs';
import { EXIT, isLogClusterError, LogClusterError } from '../lib/index.js';
import { STDIN_ARG } from './command.js';
import { benchCommand } from './commands/bench.js';
import { dashboardCommand } from './commands/dashboard.js';
import { failCommand } from './commands/fail.js';
import { nodeCommand } from './commands/node.js';
import { queryCommand } from './commands/query.js';
import { readCommand } from './commands/read.js';
import { recoverCommand } from './commands/recover.js';
import { startCommand } from './commands/start.js';
import { statsCommand } from './commands/stats.js';
import { statusCommand } from './commands/status.js';
import { stopCommand } from './commands/stop.js';
import { tailCommand } from './commands/tail.js';
import { writeCommand } from './commands/write.js';
import { errorLine } from './format.js';
import { packageVersion } from './version.js';

/** Help text wraps at this width at most (readable on wide terminals). */
const HELP_WIDTH_MAX = 110;

/** A command-line mistake (unknown flag, missing argument): exit code EXIT.usage. */
class UsageError extends Error {}

/** Builds the parser for argv (without the node and script paths). */
export function parser(argv: readonly string[]) {
  return yargs([...argv])
    .scriptName('logcluster')
    .usage(
      '$0 <command> [options]\n\nA replicated, durable log store: start a cluster, write, read, break and repair it.',
    )
    .option('url', {
      type: 'string',
      global: true,
      describe: 'node URLs, comma separated (env LOGCLUSTER_URL)',
    })
    .option('data-dir', {
      type: 'string',
      global: true,
      describe: 'cluster data directory (env LOGCLUSTER_DATA_DIR; default ./data)',
    })
    .option('config', {
      type: 'string',
      global: true,
      describe: 'config file (env LOGCLUSTER_CONFIG; default ./logcluster.config.json)',
    })
    .option('token', {
      type: 'string',
      global: true,
      describe: 'bearer token for the nodes (env LOGCLUSTER_TOKEN)',
    })
    .option('timeout-ms', {
      type: 'number',
      global: true,
      describe: 'per-request timeout of client commands (default 10000)',
    })
    .option('json', { type: 'boolean', global: true, default: false, describe: 'machine-readable output' })
    .option('color', {
      type: 'boolean',
      global: true,
      default: true,
      describe: 'colored output (--no-color or NO_COLOR turn it off)',
    })
    .option('verbose', { type: 'boolean', global: true, default: false, describe: 'stack traces on errors' })
    .command(startCommand)
    .command(stopCommand)
    .command(statusCommand)
    .command(nodeCommand)
    .command(writeCommand)
    .command(readCommand)
    .command(queryCommand)
    .command(tailCommand)
    .command(statsCommand)
    .command(failCommand)
    .command(recoverCommand)
    .command(dashboardCommand)
    .command(benchCommand)
    .demandCommand(1, 'name a command (logcluster --help lists them)')
    .strict()
    .recommendCommands()
    .example('$0 start', 'a 3-node cluster on 127.0.0.1:5001-5003 in the foreground')
    .example('$0 write "hello" && $0 query --json', 'append and read back')
    .example('$0 fail node1 --mode kill && $0 status', 'break the leader, watch the failover')
    .epilog(
      'Docs: docs/cli.md. Exit codes: 0 ok, 2 usage, 3 not found, 4 unavailable, 5 unauthorized, 6 storage, 7 config, 8 conflict.',
    )
    .help()
    .alias('h', 'help')
    .version(packageVersion())
    .alias('v', 'version')
    .wrap(Math.min(HELP_WIDTH_MAX, process.stdout.columns ?? 80))
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
}

/** Runs the CLI; resolves the exit code (it never calls process.exit itself on success). */
export async function main(argv: readonly string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    await parser(argv.map((arg) => (arg === '-' ? STDIN_ARG : arg))).parseAsync();
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = new LogClusterError('USAGE', `${error.message} (see --help)`);
      process.stderr.write(`${errorLine(usage)}\n`);
      return usage.exitCode;
    }
    process.stderr.write(`${errorLine(error)}\n`);
    if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    return isLogClusterError(error) ? error.exitCode : EXIT.general;
  }
}
