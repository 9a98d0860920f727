import test from 'ava';
import { decodeIndexFields, encodeEntry } from '../../../lib/node/entries/payload.js';
import { proposedFields } from '../../../lib/node/entries/proposed-fields.js';
import { validateEntry } from '../../../lib/node/entries/validate.js';

const context = { nodeId: 'node1', nowMs: 1_700_000_000_123 };

test('the fields a leader keeps for its own proposal equal what apply decodes from the payload', (t) => {
  const raws = [
    { message: 'plain' },
    { message: 'all', level: 'WARNING', source: 'api', labels: { env: 'prod', n: 3 }, id: 'req-1' },
    { message: 'dated', timestamp: '2024-01-02T03:04:05.678Z', extra: { deep: [1, 'x'] } },
    { message: 'epoch', timestamp: 1_600_000_000_000, level: 'fatal', labels: {} },
  ];
  for (const raw of raws) {
    const entry = validateEntry(raw);
    const decoded = decodeIndexFields(encodeEntry(entry, context));
    t.deepEqual({ ...proposedFields(entry, context) }, { ...decoded }, raw.message);
  }
});
