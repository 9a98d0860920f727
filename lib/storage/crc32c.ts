/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every record, index file
 * and atomic file. Table-driven slicing-by-8: eight bytes per step with eight 256-entry tables,
 * because the checksum runs on every append and every read (the hot path).
 */

const POLY = 0x82f63b78;

/** Eight tables of 256 entries, table k at offset k * 256 (one array keeps them close in cache). */
const TABLES: Int32Array = crc32cTables(8);

/**
 * The `count` slicing tables of 256 entries, table k at offset k * 256: table 0 is the classic
 * byte table, table k advances a byte's contribution past k more zero bytes.
 */
export function crc32cTables(count: number): Int32Array {
  const t = new Int32Array(count * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < count; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

/**
 * CRC32C of `data[start, end)`. Pass the result of a previous call as `previous` to continue a
 * checksum over several ranges: crc32c(b, 0, b.length, crc32c(a)) equals the CRC of a followed by b.
 * Returns an unsigned 32-bit integer.
 */
export function crc32c(data: Uint8Array, start = 0, end = data.length, previous = 0): number {
  const t = TABLES;
  let c = ~previous;
  let i = start;
  const end8 = end - 8;
  while (i <= end8) {
    const lo = c ^ (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24));
    c =
      t[1792 + (lo & 0xff)] ^
      t[1536 + ((lo >>> 8) & 0xff)] ^
      t[1280 + ((lo >>> 16) & 0xff)] ^
      t[1024 + (lo >>> 24)] ^
      t[768 + data[i + 4]] ^
      t[512 + data[i + 5]] ^
      t[256 + data[i + 6]] ^
      t[data[i + 7]];
    i += 8;
  }
  while (i < end) c = t[(c ^ data[i++]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
