import test from 'ava';
import type { WriteResult } from '../../lib/http/service.js';
import { writeReplyJson } from '../../lib/http/write-reply.js';

const results: WriteResult[] = [
  {
    file_path: '00000000000000000007.json',
    id: 'a-1',
    index: 7,
    term: 2,
    leader_id: 'node1',
    replicas: 2,
    duplicate: false,
  },
  {
    file_path: '00000000000000000003.json',
    id: 'we"ird\\id',
    index: 3,
    term: 1,
    leader_id: null,
    replicas: 3,
    duplicate: true,
  },
];

test('the write answer is exactly JSON.stringify of the same values, single and batched', (t) => {
  t.is(writeReplyJson(results, true), JSON.stringify({ success: true, results }));
  t.is(writeReplyJson(results.slice(0, 1), true), JSON.stringify({ success: true, results: [results[0]] }));
  for (const r of results) t.is(writeReplyJson([r], false), JSON.stringify({ success: true, ...r }));
});
