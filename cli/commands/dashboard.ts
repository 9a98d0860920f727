/**
 * `logcluster dashboard`: serves the live dashboard on a local port (127.0.0.1) and prints its
 * URL (--open also opens a browser). For a cluster the manager started (recorded in the data
 * directory) the page gets fail/recover buttons, backed by DetachedCluster. `--no-serve` only
 * prints the URLs of the page every node serves itself (GET /dashboard).
 */
import { spawn } from 'node:child_process';
import {
  type DashboardControl,
  type DetachedCluster,
  type LogClusterError,
  startDashboardServer,
} from '../../lib/index.js';
import { defineCommand } from '../command.js';
import {
  clusterUrls,
  explicitUrls,
  type GlobalArgs,
  type Output,
  output,
  recordedCluster,
} from '../context.js';

interface DashboardArgs extends GlobalArgs {
  readonly port: number;
  readonly open: boolean;
  readonly serve: boolean;
}

/** Runs `fn` on a freshly opened record of the cluster (pids change when a node is restarted). */
async function withCluster(args: GlobalArgs, fn: (cluster: DetachedCluster) => Promise<void>): Promise<void> {
  const cluster = await recordedCluster(args);
  try {
    await fn(cluster);
  } finally {
    cluster.close();
  }
}

/** The recorded cluster's members and a control over it, or null when none is recorded. */
async function recorded(args: GlobalArgs) {
  let cluster: DetachedCluster;
  try {
    cluster = await recordedCluster(args);
  } catch (error) {
    if ((error as LogClusterError).code === 'NOT_RUNNING') return null;
    throw error;
  }
  const nodes = cluster.state.nodes.map((n) => ({ id: n.id, url: n.url }));
  cluster.close();
  const control: DashboardControl = {
    nodes: nodes.map((n) => n.id),
    fail: (id, mode) => withCluster(args, (c) => c.fail(id, mode)),
    recover: (id) => withCluster(args, (c) => c.recover(id)),
  };
  return { nodes, control };
}

/** Best effort: the platform's "open this URL" command; a failure is only a note. */
function openBrowser(url: string, out: Output): void {
  const [command, ...rest] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  const child = spawn(command, rest, { detached: true, stdio: 'ignore' });
  child.on('error', () => out.note(`could not open a browser (${command}); open ${url} yourself`));
  child.unref();
}

export const dashboardCommand = defineCommand<DashboardArgs>({
  command: 'dashboard',
  describe: 'serve the live dashboard locally (with fail/recover buttons for a recorded cluster)',
  builder: (y) =>
    y
      .option('port', { type: 'number', default: 0, describe: 'local port (default: a free one)' })
      .option('open', { type: 'boolean', default: false, describe: 'open it in a browser' })
      .option('serve', {
        type: 'boolean',
        default: true,
        describe: 'serve it (--no-serve: only print the URLs each node serves it at)',
      }),
  examples: [
    ['$0 dashboard --open', 'serve the dashboard of the cluster in ./data and open a browser'],
    ['$0 dashboard --url http://10.0.0.1:5001,http://10.0.0.2:5001', 'watch a multi-host cluster'],
    ['$0 dashboard --no-serve', 'print http://<node>/dashboard for every node'],
  ],
  handler: async (args) => {
    const out = output(args);
    const { urls, token } = await clusterUrls(args);
    if (!args.serve) {
      const pages = urls.map((u) => `${u}/dashboard`);
      if (out.json) out.data({ success: true, urls: pages });
      else for (const page of pages) out.line(page);
      return;
    }
    const found = explicitUrls(args) ? null : await recorded(args);
    const server = await startDashboardServer({
      nodes: found?.nodes ?? urls,
      ...(token ? { token } : {}),
      ...(found ? { control: found.control } : {}),
      port: args.port,
    });
    if (out.json) {
      out.line(JSON.stringify({ success: true, url: server.url, control: found !== null, nodes: urls }));
    } else {
      out.line(`${out.color.green('dashboard')} ${server.url}`);
      out.line(out.color.dim(`watching ${urls.join(', ')}`));
      out.line(
        out.color.dim(
          found
            ? 'fail/recover buttons: on (cluster recorded in the data directory)'
            : 'fail/recover buttons: off (no cluster recorded in the data directory)',
        ),
      );
      out.line(out.color.dim('Ctrl-C stops the dashboard (the cluster keeps running)'));
    }
    if (args.open) openBrowser(server.url, out);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
  },
});
