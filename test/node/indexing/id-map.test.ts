import test from 'ava';
import { IdMap } from '../../../lib/node/indexing/id-map.js';
import { hashId } from '../../../lib/node/indexing/id-table.js';
import { Prng } from '../../../lib/prng.js';

test('an IdMap answers like a Map under random adds and deletes, colliding hashes included', (t) => {
  const prng = new Prng(7);
  const map = new IdMap();
  const model = new Map<string, number>();
  // A weak hash (16 values) forces long probe runs, wrap-around and back-shifts on delete.
  const weak = (id: string) => hashId(id) & 0x800f;
  const fifo: string[] = [];
  for (let step = 0; step < 20_000; step++) {
    const roll = prng.nextFloat();
    if (roll < 0.55 || fifo.length === 0) {
      const id = `id-${step}`;
      map.add(id, weak(id), step);
      model.set(id, step);
      fifo.push(id);
    } else {
      const at = roll < 0.8 ? 0 : Math.floor(prng.nextFloat() * fifo.length);
      const [id] = fifo.splice(at, 1);
      t.true(map.delete(id, weak(id)));
      model.delete(id);
      t.false(map.delete(id, weak(id)));
    }
    if (step % 97 === 0) {
      t.is(map.size, model.size);
      for (const [id, value] of model) if (map.get(id, weak(id)) !== value) t.fail(`${id} at step ${step}`);
      t.is(map.get(`id-${step + 1}`, weak(`id-${step + 1}`)), -1);
    }
  }
  t.is(map.size, model.size);
  map.clear();
  t.is(map.size, 0);
  t.is(map.get(fifo[0], weak(fifo[0])), -1);
});

test('an IdMap refuses a second add of an id and a negative value', (t) => {
  const map = new IdMap();
  map.add('a', hashId('a'), 1);
  t.throws(() => map.add('a', hashId('a'), 2), { message: /once/ });
  t.throws(() => map.add('b', hashId('b'), -1), { message: /non-negative/ });
  t.is(map.get('a', hashId('a')), 1);
});
