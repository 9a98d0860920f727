/**
 * Which HTTP client should LogClusterClient use on its write hot path? Measures requests/s of a
 * small JSON POST /write (the shape of a real write and its reply) against a bare node:http server
 * running in a child process (its own core), for node:http with a keep-alive Agent, Node's
 * built-in fetch (undici) and node-fetch (with a keep-alive Agent), at concurrency 1, 16 and 64.
 * Each cell is the median of RUNS runs of RUN_MS after a warm-up; clients take turns within a round.
 *
 *   npx tsx bench/client-http.ts            # full table (about a minute)
 *   npx tsx bench/client-http.ts --quick    # one short run per cell
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import nodeFetch from 'node-fetch';

const quick = process.argv.includes('--quick');
/** Runs per cell; the median is reported. */
const RUNS = quick ? 1 : 3;
/** Measured duration of one run. */
const RUN_MS = quick ? 500 : 2000;
/** Unmeasured warm-up before each cell (connections opened, JIT warm). */
const WARMUP_MS = quick ? 200 : 500;
const CONCURRENCY = [1, 16, 64];

const SERVER = `
const http = require('node:http');
let index = 0;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const entry = JSON.parse(Buffer.concat(chunks).toString() || '{}');
    index++;
    const body = JSON.stringify({ success: true, file_path: 'log_' + String(index).padStart(20, '0') + '.json',
      id: entry.id, index, term: 1, leader_id: 'node1', replicas: 2, duplicate: false });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

type Post = (body: string) => Promise<unknown>;

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (chunk: Buffer) => {
      resolve({ child, url: `http://127.0.0.1:${chunk.toString().trim()}/write` });
    });
  });
}

function nodeHttpClient(url: string, agent: http.Agent): Post {
  const target = new URL(url);
  return (body) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        {
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString())));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

function builtinFetchClient(url: string): Post {
  return async (body) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    return res.json();
  };
}

function nodeFetchClient(url: string, agent: http.Agent): Post {
  return async (body) => {
    const res = await nodeFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      agent,
    });
    return res.json();
  };
}

/** Requests completed per second by `concurrency` loops posting back to back for `ms`. */
async function measure(post: Post, concurrency: number, ms: number): Promise<number> {
  let done = 0;
  let seq = 0;
  const stopAt = Date.now() + ms;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < stopAt) {
        const body = JSON.stringify({
          message: `bench ${seq++}`,
          level: 'info',
          source: 'bench',
          id: `id-${seq}`,
        });
        await post(body);
        done++;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return done / seconds;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const { child, url } = await startServer();
  const agents: http.Agent[] = [];
  const agent = (): http.Agent => {
    const a = new http.Agent({ keepAlive: true, maxSockets: 64 });
    agents.push(a);
    return a;
  };
  const clients: [string, Post][] = [
    ['node:http + keep-alive Agent', nodeHttpClient(url, agent())],
    ['built-in fetch (undici)', builtinFetchClient(url)],
    ['node-fetch 3 + keep-alive Agent', nodeFetchClient(url, agent())],
  ];
  console.log(
    `node ${process.version}, median of ${RUNS} run(s) of ${RUN_MS} ms per cell, clients interleaved,`,
  );
  console.log('server in a child process\n');
  // Interleave clients within each round so load from elsewhere on the machine hits all alike.
  const runs = clients.map(() => CONCURRENCY.map((): number[] => []));
  try {
    for (const [c, concurrency] of CONCURRENCY.entries()) {
      for (const [, post] of clients) await measure(post, concurrency, WARMUP_MS);
      for (let round = 0; round < RUNS; round++) {
        for (const [i, [, post]] of clients.entries())
          runs[i][c].push(await measure(post, concurrency, RUN_MS));
      }
    }
    console.log(`| client | ${CONCURRENCY.map((c) => `c=${c} req/s`).join(' | ')} |`);
    console.log(`| --- | ${CONCURRENCY.map(() => '---:').join(' | ')} |`);
    for (const [i, [name]] of clients.entries()) {
      const cells = runs[i].map((values) => Math.round(median(values)).toLocaleString('en-US'));
      console.log(`| ${name} | ${cells.join(' | ')} |`);
    }
  } finally {
    for (const a of agents) a.destroy();
    child.kill();
  }
}

await main();
