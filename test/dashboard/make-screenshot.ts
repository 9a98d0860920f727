/**
 * Makes docs/dashboard.png (the README's screenshot): a 3-node cluster under a light mixed
 * workload with one follower killed, seen through `logcluster dashboard` in headless chromium.
 * Run after a build: npx tsx test/dashboard/make-screenshot.ts [out.png]
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const cli = (...args: string[]) =>
  execFileSync(process.execPath, ['dist/cli/index.js', ...args, '--data-dir', dir], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
const dir = mkdtempSync(join(tmpdir(), 'lc-shot-'));
const { findFreePortRange } = await import('../../dist/lib/index.js');
cli('start', '--detach', '--base-port', String(await findFreePortRange('127.0.0.1', 3)));
const status = JSON.parse(cli('status', '--json'));
const urls = status.nodes.map((n: { url: string }) => n.url);
const dash = spawn(process.execPath, ['dist/cli/index.js', 'dashboard', '--json', '--data-dir', dir], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const url = await new Promise<string>((resolve) =>
  dash.stdout.once('data', (d) => resolve(JSON.parse(String(d).split('\n')[0]).url)),
);
const sources = ['api', 'billing', 'worker', 'auth', 'scheduler'];
const messages: Record<string, string[]> = {
  debug: ['cache hit for user 4812', 'retrying job 77 (attempt 2)'],
  info: [
    'GET /orders 200 in 12 ms',
    'payment captured for order 9313',
    'job 5521 done in 840 ms',
    'user 4812 logged in',
  ],
  warn: ['slow query: 1.2 s on orders', 'rate limit at 80% for key k-31'],
  error: ['payment declined: card expired', 'upstream timeout after 5000 ms'],
};
const levels = ['debug', 'info', 'info', 'info', 'info', 'info', 'warn', 'error'];
let stop = false;
const load = (async () => {
  let i = 0;
  while (!stop) {
    const n = 1 + Math.floor(Math.random() * (8 + 6 * Math.sin(i / 15)));
    const batch = Array.from({ length: n }, () => {
      const level = levels[Math.floor(Math.random() * levels.length)];
      const m = messages[level];
      return {
        level,
        source: sources[Math.floor(Math.random() * sources.length)],
        message: m[Math.floor(Math.random() * m.length)],
      };
    });
    for (const u of urls) {
      try {
        const r = await fetch(u + '/write', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        if (r.ok) break;
      } catch {}
    }
    i++;
    await new Promise((r) => setTimeout(r, 60));
  }
})();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 960 } });
await page.goto(url);
await page.waitForTimeout(22000);
const follower = status.nodes.find((n: { id: string }) => n.id !== status.leader).id;
cli('fail', follower, '--mode', 'kill');
await page.waitForTimeout(8000);
await page.click('#test-write');
await page.waitForTimeout(1500);
await page.screenshot({ path: process.argv[2] ?? 'docs/dashboard.png' });
stop = true;
await load;
await browser.close();
dash.kill('SIGTERM');
cli('stop');
rmSync(dir, { recursive: true, force: true });
