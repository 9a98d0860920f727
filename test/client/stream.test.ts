import test from 'ava';
import { LogClusterClient } from '../../lib/client/client.js';
import { readEvents } from '../../lib/client/sse.js';
import type { LogRecord } from '../../lib/client/types.js';
import { isLogClusterError } from '../../lib/errors.js';
import { fakeNode } from './fake-node.js';

function event(index: number): string {
  return `id: ${index}\ndata: ${JSON.stringify({ index, file_path: `log_${index}.json` })}\n\n`;
}

test('the stream resumes on another node after the serving one dies, with Last-Event-ID', async (t) => {
  const first = await fakeNode(t);
  const second = await fakeNode(t);
  const seenIds: (string | undefined)[] = [];
  first.raw((req, res) => {
    seenIds.push(req.headers['last-event-id'] as string | undefined);
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(`: hello\n\n${event(1)}`);
    res.write(event(2), () => setTimeout(() => res.destroy(), 20));
  });
  second.raw((req, res) => {
    seenIds.push(req.headers['last-event-id'] as string | undefined);
    t.is(new URL(req.url ?? '', 'http://x').searchParams.get('level'), 'error');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write(event(3));
  });
  const client = new LogClusterClient({ nodes: [first.url, second.url], retryBaseMs: 1 });
  t.teardown(() => client.close());
  const got: LogRecord[] = [];
  for await (const record of client.stream({ level: 'error' }, { lastEventId: 0 })) {
    got.push(record);
    if (got.length === 3) break;
  }
  t.deepEqual(
    got.map((r) => r.index),
    [1, 2, 3],
  );
  t.deepEqual(seenIds, ['0', '2']);
});

test('an aborted stream ends quietly; a 400 ends it with the typed error', async (t) => {
  const node = await fakeNode(t);
  let calls = 0;
  node.raw((_req, res) => {
    calls++;
    if (calls === 1) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(event(1));
      return;
    }
    res.writeHead(400, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: false, error: 'bad level', code: 'INVALID_QUERY' }));
  });
  const client = new LogClusterClient({ nodes: node.url, retryBaseMs: 1 });
  t.teardown(() => client.close());
  const controller = new AbortController();
  const got: number[] = [];
  for await (const record of client.stream({}, { signal: controller.signal })) {
    got.push(record.index);
    controller.abort();
  }
  t.deepEqual(got, [1]);
  try {
    for await (const _ of client.stream()) t.fail('no entry expected');
    t.fail('expected an error');
  } catch (error) {
    t.true(isLogClusterError(error));
    t.is((error as { code: string }).code, 'INVALID_QUERY');
  }
});

test('the SSE reader handles split chunks, CRLF, multi-line data and multi-byte characters', async (t) => {
  const text = 'id: 7\r\nevent: entry\r\ndata: {"a":\r\ndata: "é"}\r\n\r\n: comment\n\nretry: 5\ndata: x\n\n';
  const bytes = Buffer.from(text);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let i = 0; i < bytes.length; i += 3) yield bytes.subarray(i, i + 3);
  }
  const events = [];
  for await (const e of readEvents(chunks())) events.push(e);
  t.deepEqual(events, [
    { id: '7', event: 'entry', data: '{"a":\n"é"}' },
    { id: '7', event: 'message', data: 'x' },
  ]);
});
