/**
 * docker/: no Docker engine runs here, so this checks what can be checked without one — the
 * Dockerfile's stages, user, healthcheck and command; the build context's allow-list; the compose
 * file's services, ports, volumes and peers; that the environment each container gets is a valid
 * `logcluster node` configuration; and that the HEALTHCHECK command really tells a serving node
 * from a missing one. `docker compose config` also runs when a compose client is installed.
 * The container command itself runs in test/multihost/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { execa } from 'execa';
import { nodeOptions } from '../../cli/commands/node.js';
import { NODE_INITIAL_HEAP_MIB } from '../../lib/cluster/launcher.js';
import { StorageNode } from '../../lib/index.js';
import { resolveNodeOptions } from '../../lib/node/options.js';
import { freePortRange } from '../helpers/free-port.js';
import { waitFor } from '../helpers/wait.js';
import {
  COMPOSE_PATH,
  composeFile,
  containerCommand,
  DOCKER_DIR,
  dockerfileInstructions,
  imageRuntime,
} from './container-spec.js';

const ROOT = join(DOCKER_DIR, '..');
const SERVICES = ['node1', 'node2', 'node3'];
const instructions = dockerfileInstructions();
const runtime = imageRuntime(instructions);

test('the Dockerfile builds in one stage and runs production dependencies only in another', (t) => {
  const froms = instructions.filter((i) => i.op === 'FROM');
  t.true(froms.length >= 2, 'multi-stage');
  t.regex(froms[0].args, / AS build$/i);
  const stage = (n: number) => instructions.filter((i) => i.stage === n && i.op === 'RUN').map((i) => i.args);
  t.true(
    stage(0).some((r) => /\bnpm ci\b/.test(r)),
    'build: npm ci',
  );
  t.true(
    stage(0).some((r) => /\btsc\b/.test(r)),
    'build: tsc',
  );
  const last = froms.length - 1;
  t.true(
    stage(last).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)),
    'runtime: production dependencies',
  );
  t.false(
    stage(last).some((r) => /\btsc\b|typescript/.test(r)),
    'no compiler at run time',
  );
  const copies = instructions.filter((i) => i.stage === last && i.op === 'COPY').map((i) => i.args);
  for (const dir of ['dist/lib', 'dist/cli', 'web']) {
    t.true(
      copies.some((c) => c.endsWith(` ./${dir}`)),
      `runtime has ${dir}`,
    );
  }
});

test('the image runs `logcluster node` as a non-root user with a /health healthcheck', (t) => {
  t.deepEqual(runtime.argv, [
    'node',
    `--initial-heap-size=${NODE_INITIAL_HEAP_MIB}`,
    'dist/cli/index.js',
    'node',
  ]);
  t.is(runtime.workdir, '/app');
  t.not(runtime.user, 'root');
  t.not(runtime.user, '0');
  const last = Math.max(...instructions.map((i) => i.stage));
  const final = instructions.filter((i) => i.stage === last);
  const userAt = final.findIndex((i) => i.op === 'USER');
  t.true(userAt >= 0 && userAt < final.findIndex((i) => i.op === 'ENTRYPOINT'), 'USER before ENTRYPOINT');
  const health = final.find((i) => i.op === 'HEALTHCHECK')!;
  t.regex(health.args, /CMD \["node", "-e", .*\/health/);
  t.notRegex(health.args, /curl|wget/);
  t.is(runtime.env.LOGCLUSTER_HOST, '0.0.0.0', 'reachable from other containers');
  const expose = final.find((i) => i.op === 'EXPOSE')!.args;
  t.is(expose, runtime.env.LOGCLUSTER_PORT);
  t.deepEqual(JSON.parse(final.find((i) => i.op === 'VOLUME')!.args), [runtime.env.LOGCLUSTER_DATA_DIR]);
  // The compiled entry the image runs is where the build puts it.
  const tsconfig = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8'));
  t.is(tsconfig.compilerOptions.outDir, 'dist');
  t.true(existsSync(join(ROOT, 'cli/index.ts')));
});

test('the build context is an allow-list holding every COPY source', (t) => {
  const ignore = readFileSync(join(DOCKER_DIR, 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  t.is(ignore[0], '**', 'everything excluded first');
  const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/\*\*$/, ''));
  for (const copy of instructions.filter((i) => i.op === 'COPY' && !i.args.startsWith('--from'))) {
    const sources = copy.args.split(/\s+/).slice(0, -1);
    for (const source of sources) {
      t.true(allowed.includes(source), `${source} is in the context`);
      t.true(existsSync(join(ROOT, source)), `${source} exists`);
    }
  }
  for (const never of ['node_modules', 'dist', 'data', 'test']) t.false(allowed.includes(never), never);
});

test('compose: three services built from the Dockerfile, one volume and one published port each', (t) => {
  const compose = composeFile() as any;
  t.deepEqual(Object.keys(compose.services), SERVICES);
  const volumes = new Set<string>();
  SERVICES.forEach((name, i) => {
    const service = compose.services[name];
    t.is(service.hostname, name);
    t.true(existsSync(join(DOCKER_DIR, service.build.context, service.build.dockerfile)), 'Dockerfile found');
    t.is(service.image, 'logcluster:local');
    t.deepEqual(service.ports, [`127.0.0.1:${5001 + i}:${runtime.env.LOGCLUSTER_PORT}`]);
    t.is(service.volumes.length, 1);
    const [volume, mount] = service.volumes[0].split(':');
    t.is(mount, runtime.env.LOGCLUSTER_DATA_DIR);
    t.true(volume in compose.volumes, `${volume} is declared`);
    volumes.add(volume);
  });
  t.is(volumes.size, 3, 'one volume per node');
});

test('compose: each container gets a valid node configuration with its peers by service name', (t) => {
  for (const name of SERVICES) {
    const { env } = containerCommand(name);
    const options = resolveNodeOptions(nodeOptions({} as any, env));
    t.is(options.id, name);
    t.is(options.host, '0.0.0.0');
    t.is(options.dataDir, '/data');
    t.is(options.advertiseUrl, `http://${name}:5001`);
    t.deepEqual(
      options.peers,
      Object.fromEntries(SERVICES.filter((s) => s !== name).map((s) => [s, `http://${s}:5001`])),
    );
    t.deepEqual([...options.voters].sort(), SERVICES);
    t.is(options.token, null, 'an unset LOGCLUSTER_TOKEN means no token');
    const secret = containerCommand(name, { LOGCLUSTER_CLUSTER_SECRET: 'peer-secret-123' }).env;
    t.is(resolveNodeOptions(nodeOptions({} as any, secret)).clusterSecret, 'peer-secret-123');
  }
});

test('the HEALTHCHECK command passes for a serving node and fails without one', async (t) => {
  const health = instructions.find((i) => i.op === 'HEALTHCHECK')!;
  const argv = JSON.parse(health.args.slice(health.args.indexOf('CMD ') + 4)) as string[];
  t.is(argv[0], 'node');
  const dir = await mkdtemp(join(tmpdir(), 'lc-docker-'));
  const port = await freePortRange(1);
  const node = new StorageNode({ id: 'node1', port, dataDir: dir, peers: {}, tickIntervalMs: 25 });
  t.teardown(async () => {
    await node.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const check = () =>
    execa(process.execPath, argv.slice(1), { reject: false, env: { LOGCLUSTER_PORT: String(port) } });
  t.is((await check()).exitCode, 1, 'nothing listens yet');
  await node.start();
  await waitFor('the healthcheck to pass', async () => (await check()).exitCode === 0, 10_000, 100);
  await node.stop();
  t.is((await check()).exitCode, 1, 'stopped node');
});

test('docker compose config accepts the file (when a compose client is installed)', async (t) => {
  for (const [command, args] of [
    ['docker', ['compose']],
    ['docker-compose', []],
  ] as const) {
    const probe = await execa(command, [...args, 'version'], { reject: false });
    if (probe.exitCode !== 0) continue;
    const config = await execa(command, [...args, '-f', COMPOSE_PATH, 'config', '-q'], {
      reject: false,
      cwd: DOCKER_DIR,
    });
    t.is(config.exitCode, 0, String(config.stderr));
    return;
  }
  t.log('skipped: no compose client (docker compose / docker-compose); the checks above cover the file');
  t.pass();
});
