import test from 'ava';
import type { IndexFields } from '../../lib/node/entries/payload.js';
import { PendingWrites } from '../../lib/node/pending-writes.js';

function fields(id: string): IndexFields {
  return { id, timestampMs: 1, acceptedAtMs: 1, level: 'info', source: 's', labels: undefined };
}

test('fieldsOf answers the proposed fields only at their index and term, until applied', async (t) => {
  const pending = new PendingWrites();
  const done = pending.add(5, 2, 3, 0, [fields('a'), fields('b')]);
  t.is(pending.fieldsOf(5, 3)?.id, 'a');
  t.is(pending.fieldsOf(6, 3)?.id, 'b');
  t.is(pending.fieldsOf(6, 2), undefined, 'another term at that index is another entry');
  t.is(pending.fieldsOf(7, 3), undefined);
  pending.applied(5, 3, { id: 'a', index: 5, term: 3, duplicate: false });
  t.is(pending.fieldsOf(5, 3), undefined);
  pending.applied(6, 3, { id: 'b', index: 6, term: 3, duplicate: false });
  t.deepEqual(
    (await done).map((r) => r.id),
    ['a', 'b'],
  );
});

test('without fields (a forwarded or replayed write) fieldsOf is undefined', (t) => {
  const pending = new PendingWrites();
  void pending.add(1, 1, 1, 0).catch(() => {});
  t.is(pending.fieldsOf(1, 1), undefined);
});
