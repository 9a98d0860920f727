/**
 * GET /stats/stream on real nodes: a first event at once, then one about every
 * STATS_STREAM_INTERVAL_MS with health and stats; the stream ends when the node stops, which is
 * how the dashboard notices a dead node at once.
 */
import test from 'ava';
import { STATS_STREAM_INTERVAL_MS, type StatusEvent } from '../../lib/http/stats-stream.js';
import { postJson, startCluster, type TestCluster } from '../helpers/node-cluster.js';

let cluster: TestCluster;

test.before(async () => {
  cluster = await startCluster(3);
});

test.after.always(async () => {
  await cluster?.close();
});

/** Reads SSE `data:` events from a fetch body until `until` returns true or the stream ends. */
async function readEvents(
  body: ReadableStream<Uint8Array>,
  until: (events: { at: number; event: StatusEvent }[]) => boolean,
): Promise<{ events: { at: number; event: StatusEvent }[]; ended: boolean }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const events: { at: number; event: StatusEvent }[] = [];
  let text = '';
  for (;;) {
    const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
    if (chunk.done) return { events, ended: true };
    text += decoder.decode(chunk.value, { stream: true });
    let cut = text.indexOf('\n\n');
    while (cut >= 0) {
      const block = text.slice(0, cut);
      text = text.slice(cut + 2);
      const data = block.split('\n').find((line) => line.startsWith('data: '));
      if (data) events.push({ at: Date.now(), event: JSON.parse(data.slice(6)) as StatusEvent });
      cut = text.indexOf('\n\n');
    }
    if (until(events)) {
      await reader.cancel();
      return { events, ended: false };
    }
  }
}

test.serial('events carry health and stats at the promised pace', async (t) => {
  const leader = await cluster.leader();
  const openedAt = Date.now();
  const res = await fetch(`${cluster.urls[leader]}/stats/stream`);
  t.is(res.status, 200);
  t.is(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  t.is(res.headers.get('access-control-allow-origin'), '*');
  const { events } = await readEvents(res.body!, (e) => e.length >= 5);
  t.true(events[0].at - openedAt < STATS_STREAM_INTERVAL_MS * 2, 'the first event comes at once');
  const spanMs = events[4].at - events[0].at;
  t.true(spanMs >= STATS_STREAM_INTERVAL_MS * 3, `4 intervals took ${spanMs} ms`);
  t.true(spanMs <= STATS_STREAM_INTERVAL_MS * 4 + 1000, `4 intervals took ${spanMs} ms`);
  const last = events[4].event;
  t.like(last, {
    success: true,
    health: { node_id: leader, role: 'leader', status: 'healthy', http_status: 200 },
  });
  t.like(last.stats, { node_id: leader, raft: { role: 'leader', leader_id: leader } });
  t.true(typeof last.at === 'number');
});

test.serial('a write shows in the next events; the stream ends when the node stops', async (t) => {
  const leader = await cluster.leader();
  const follower = cluster.ids.find((id) => id !== leader)!;
  const res = await fetch(`${cluster.urls[follower]}/stats/stream`);
  const first = await readEvents(res.body!, (e) => e.length >= 1);
  const before = first.events[0].event.health.applied_index as number;
  const res2 = await fetch(`${cluster.urls[follower]}/stats/stream`);
  await postJson(`${cluster.urls[leader]}/write`, { message: 'seen live', source: 'stats-stream' });
  const after = await readEvents(
    res2.body!,
    (e) => e.length > 0 && (e.at(-1)!.event.health.applied_index as number) > before,
  );
  t.false(after.ended);
  const res3 = await fetch(`${cluster.urls[follower]}/stats/stream`);
  const stopping = cluster.stopNode(follower);
  const ended = await readEvents(res3.body!, () => false);
  t.true(ended.ended, 'the stream ends with the node');
  await stopping;
  await cluster.startNode(follower);
});
