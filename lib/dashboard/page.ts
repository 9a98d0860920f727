/**
 * The dashboard page: web/dashboard.html, one self-contained file (inline CSS and JS, no CDN) that
 * ships in the npm package. Every node serves it at GET /dashboard; `logcluster dashboard` serves
 * it with a configuration block filled in (the node URLs, the control API).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The page's file name inside the package's web/ folder. */
export const DASHBOARD_FILE = 'dashboard.html';
/** The placeholder the page reads its configuration from (a JSON script block). */
const CONFIG_BLOCK = /<script id="dashboard-config" type="application\/json">[^<]*<\/script>/;
/** Folders between this file and the package root: lib/dashboard (sources) or dist/lib/dashboard. */
const LEVELS_UP_MAX = 4;

/** What `logcluster dashboard` tells the page (a node serves it with none). */
export interface DashboardConfig {
  /**
   * The nodes to watch — URLs, or ids with URLs (default: the members /cluster names, asked of the
   * page's own origin, else of 127.0.0.1:5001-5003).
   */
  readonly nodes?: readonly (string | { readonly id: string; readonly url: string })[];
  /** Bearer token for the nodes. */
  readonly token?: string;
  /** The control API (fail/recover buttons), on the serving origin; absent: no buttons. */
  readonly control?: { readonly key: string; readonly nodes: readonly string[] };
}

let cached: string | null = null;

/** The path of web/dashboard.html in this package (from the sources or from dist/). */
export function dashboardPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i <= LEVELS_UP_MAX; i++) {
    const candidate = join(dir, 'web', DASHBOARD_FILE);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error(`web/${DASHBOARD_FILE} is missing from the logcluster package`);
}

/** The page as a node serves it (read once, then cached). */
export function dashboardPage(): string {
  cached ??= readFileSync(dashboardPath(), 'utf8');
  return cached;
}

/** The page with `config` in its configuration block (`<` escaped so no value can close the tag). */
export function dashboardPageWith(config: DashboardConfig): string {
  const json = JSON.stringify(config).replace(/</g, '\\u003c');
  return dashboardPage().replace(
    CONFIG_BLOCK,
    () => `<script id="dashboard-config" type="application/json">${json}</script>`,
  );
}
