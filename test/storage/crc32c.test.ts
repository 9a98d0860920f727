import test from 'ava';
import { crc32c } from '../../lib/storage/crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

test('matches the standard check value and published vectors', (t) => {
  t.is(crc32c(ascii('123456789')), 0xe3069283);
  t.is(crc32c(new Uint8Array(0)), 0);
  // RFC 3720 (iSCSI) appendix B.4 vectors.
  t.is(crc32c(new Uint8Array(32)), 0x8a9136aa);
  t.is(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
  t.is(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
});

test('agrees with a bitwise reference on every length and alignment', (t) => {
  const reference = (data: Uint8Array) => {
    let c = 0xffffffff;
    for (const byte of data) {
      c ^= byte;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    }
    return ~c >>> 0;
  };
  const data = Uint8Array.from({ length: 300 }, (_, i) => (i * 167 + 13) & 0xff);
  for (let start = 0; start < 9; start++) {
    for (let end = start; end <= data.length; end += 7) {
      t.is(crc32c(data, start, end), reference(data.subarray(start, end)), `range ${start}..${end}`);
    }
  }
});

test('chains over split ranges', (t) => {
  const data = ascii('the quick brown fox jumps over the lazy dog');
  for (let cut = 0; cut <= data.length; cut++) {
    t.is(crc32c(data, cut, data.length, crc32c(data, 0, cut)), crc32c(data));
  }
});
