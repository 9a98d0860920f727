/**
 * The local server of `logcluster dashboard`: serves the page with its configuration filled in,
 * and a control API that only the page it served can use (key header, own Host).
 */
import { request } from 'node:http';
import test from 'ava';
import {
  CONTROL_KEY_HEADER,
  type DashboardFailMode,
  startDashboardServer,
} from '../../lib/dashboard/dashboard-server.js';
import { dashboardPage } from '../../lib/dashboard/page.js';

/** A raw request, so the Host header can be forged. */
function send(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; text: string; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, text, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function configOf(page: string): any {
  const match = /<script id="dashboard-config" type="application\/json">([^<]*)<\/script>/.exec(page);
  if (!match) throw new Error('no config block');
  return JSON.parse(match[1]);
}

async function serverWithControl(t: any) {
  const calls: string[] = [];
  const server = await startDashboardServer({
    nodes: [
      { id: 'node1', url: 'http://127.0.0.1:5001' },
      { id: 'node2', url: 'http://127.0.0.1:5002' },
    ],
    token: 'secret-token</script>',
    control: {
      nodes: ['node1', 'node2'],
      fail: async (id: string, mode: DashboardFailMode) => {
        calls.push(`fail ${id} ${mode}`);
      },
      recover: async (id: string) => {
        calls.push(`recover ${id}`);
      },
    },
  });
  t.teardown(() => server.close());
  return { server, calls };
}

test('the node-served page is self-contained: no external script, style, font or fetch', (t) => {
  const page = dashboardPage();
  t.regex(page, /^<!doctype html>/i);
  t.notRegex(page, /<script[^>]+src=/i, 'no external scripts');
  t.notRegex(page, /<link[^>]+href=/i, 'no external styles or fonts');
  t.notRegex(page, /@import|url\(\s*['"]?https?:/i, 'no remote CSS');
  t.notRegex(page, /https?:\/\/(?!127\.0\.0\.1:500[123]['"])/i, 'no remote URL but the default nodes');
  t.deepEqual(configOf(page), {});
});

test('the page carries the node list, token and control key; a value cannot close the script tag', async (t) => {
  const { server } = await serverWithControl(t);
  t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await send(server.url, 'GET', '/');
  t.is(page.status, 200);
  t.false(page.text.includes('secret-token</script>'), 'the token is escaped');
  const config = configOf(page.text);
  t.deepEqual(
    config.nodes.map((n: { id: string }) => n.id),
    ['node1', 'node2'],
  );
  t.is(config.token, 'secret-token</script>');
  t.deepEqual(config.control.nodes, ['node1', 'node2']);
  t.regex(config.control.key, /^[\w-]{20,}$/);
});

test('fail and recover run with the page key; without it, from another Host or for another node, nothing runs', async (t) => {
  const { server, calls } = await serverWithControl(t);
  const { control } = configOf((await send(server.url, 'GET', '/')).text);
  const json = { 'content-type': 'application/json' };
  const keyed = { ...json, [CONTROL_KEY_HEADER]: control.key };

  const noKey = await send(server.url, 'POST', '/control/fail', json, '{"node":"node1","mode":"kill"}');
  t.is(noKey.status, 401);
  t.is(noKey.json.code, 'UNAUTHORIZED');
  const wrongKey = { ...json, [CONTROL_KEY_HEADER]: `${control.key.slice(1)}x` };
  t.is(
    (await send(server.url, 'POST', '/control/fail', wrongKey, '{"node":"node1","mode":"kill"}')).status,
    401,
  );
  const rebinding = { ...keyed, host: `evil.example:${new URL(server.url).port}` };
  t.is(
    (await send(server.url, 'POST', '/control/fail', rebinding, '{"node":"node1","mode":"kill"}')).status,
    401,
  );
  t.is((await send(server.url, 'GET', '/', { host: 'evil.example' })).status, 401, 'not even the page');
  const unknown = await send(server.url, 'POST', '/control/fail', keyed, '{"node":"node9","mode":"kill"}');
  t.is(unknown.json.code, 'UNKNOWN_NODE');
  const badMode = await send(server.url, 'POST', '/control/fail', keyed, '{"node":"node1","mode":"melt"}');
  t.is(badMode.json.code, 'INVALID_OPTION');
  t.is((await send(server.url, 'POST', '/control/fail', keyed, 'not json')).json.code, 'INVALID_JSON');
  t.is(
    (await send(server.url, 'POST', '/control/fail', keyed, 'x'.repeat(5000))).json.code,
    'BODY_TOO_LARGE',
  );
  t.deepEqual(calls, [], 'nothing ran');

  const failed = await send(server.url, 'POST', '/control/fail', keyed, '{"node":"node2","mode":"pause"}');
  t.deepEqual(failed.json, { success: true, node: 'node2', mode: 'pause' });
  const recovered = await send(server.url, 'POST', '/control/recover', keyed, '{"node":"node2"}');
  t.deepEqual(recovered.json, { success: true, node: 'node2' });
  t.deepEqual(calls, ['fail node2 pause', 'recover node2']);
  t.is((await send(server.url, 'GET', '/nope')).status, 404);
});

test('without a control, the page has no control block and the API refuses', async (t) => {
  const server = await startDashboardServer({ nodes: ['http://127.0.0.1:5001'] });
  t.teardown(() => server.close());
  const config = configOf((await send(server.url, 'GET', '/dashboard')).text);
  t.deepEqual(config, { nodes: ['http://127.0.0.1:5001'] });
  const refused = await send(server.url, 'POST', '/control/recover', {}, '{"node":"node1"}');
  t.is(refused.json.code, 'NOT_RUNNING');
});
