/**
 * CRC32C and record framing in WebAssembly, for the append path: the JS slicing-by-8 in crc32c.ts
 * runs at ~1.1 GB/s, this slicing-by-16 at ~2.4 GB/s, and the checksum is the largest single cost
 * of a small append. The module is emitted here from a few opcodes (no binary blob, no build
 * tool); its results are checked against crc32c.ts by the tests.
 *
 * Memory layout of an instance: 16 tables of 256 u32 at address 0, then the caller's data.
 * Exports: `crc(start, end, previous)` over [start, end), and `frame(pos, length, index, term,
 * type)` which writes a record header at `pos` (payload already in place after it, see
 * record-format.ts), computes its CRC, stores it and returns it.
 */
import { crc32cTables } from './crc32c.js';
import { RECORD_HEADER_BYTES } from './limits.js';

/** Bytes of the 16 lookup tables at the start of the memory; data follows. */
export const WASM_TABLE_BYTES = 16 * 256 * 4;

/** The exports of an instance, as JS sees them (i32 results are signed: `>>> 0` them). */
export interface Crc32cWasmExports {
  crc(start: number, end: number, previous: number): number;
  frame(pos: number, length: number, index: number, term: number, type: number): number;
}

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const F64 = 0x7c;
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, ...sleb(n)];
const load = (offset: number) => [0x28, 2, ...uleb(offset)];
const store = (offset: number) => [0x36, 2, ...uleb(offset)];
const [ADD, AND, XOR, SHL, SHR_U, GT_U, GE_U, END] = [0x6a, 0x71, 0x73, 0x74, 0x76, 0x4b, 0x4f, 0x0b];
/** load8_u at offset 0; store8 and i64.store (their offset follows); a call of function 0 (crc). */
const [LOAD8_U, STORE8, I64_STORE, CALL_CRC] = [
  [0x2d, 0, 0],
  [0x3a, 0],
  [0x37, 3],
  [0x10, 0],
];
const I64_TRUNC_SAT_F64_U = [0xfc, 0x07];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const BR_IF_OUT = [0x0d, 1];
const BR_IF_BLOCK = [0x0d, 0];
const BR_LOOP = [0x0c, 0];

/** Table `k`'s entry for byte `b` (0..3) of local `x`. */
function lookup(k: number, x: number, b: number): number[] {
  const byte = b === 3 ? [...get(x), ...i32(24), SHR_U] : [...get(x), ...i32(8 * b), SHR_U, ...i32(255), AND];
  return [...byte, ...i32(2), SHL, ...load(k * 1024)];
}

/** Concatenates instruction groups (numbers are single opcodes or immediates). */
const code = (...parts: Array<number | number[]>): number[] => parts.flat();

/** Locals of crc: params p, end, previous; then c and four words. */
const [P, E, PREV, C] = [0, 1, 2, 3];
const WORDS = [4, 5, 6, 7];

/**
 * One slicing step over `n` words (4n bytes) at p: word i byte b goes through table 4n-1-4i-b.
 * As a loop (16 bytes while they fit) or once (8, then 4 bytes, if they fit).
 */
function sliceStep(n: number, repeat: boolean): number[] {
  const lookups: number[] = [];
  for (let wi = 0; wi < n; wi++) {
    for (let b = 0; b < 4; b++) {
      lookups.push(...lookup(4 * n - 1 - 4 * wi - b, WORDS[wi], b));
      if (wi + b > 0) lookups.push(XOR);
    }
  }
  const loads: number[] = code(get(C), get(P), load(0), XOR, set(WORDS[0]));
  for (let wi = 1; wi < n; wi++) loads.push(...code(get(P), load(4 * wi), set(WORDS[wi])));
  // biome-ignore format: one line per statement, as in an assembly listing
  return code(
    BLOCK, repeat ? LOOP : [],
    get(P), i32(4 * n), ADD, get(E), GT_U, repeat ? BR_IF_OUT : BR_IF_BLOCK,
    loads, lookups, set(C),
    get(P), i32(4 * n), ADD, set(P),
    repeat ? [...BR_LOOP, END] : [], END,
  );
}

/** crc(p, end, previous): slicing by 16, then by 8 and 4, then bytewise. */
function crcBody(): number[] {
  // biome-ignore format: one line per statement, as in an assembly listing
  return code(
    [1, ...uleb(5), I32], // five i32 locals
    get(PREV), i32(-1), XOR, set(C),
    sliceStep(4, true), sliceStep(2, false), sliceStep(1, false),
    // The last 0-3 bytes one by one.
    BLOCK, LOOP,
    get(P), get(E), GE_U, BR_IF_OUT,
    get(C), get(P), LOAD8_U, XOR, i32(255), AND, i32(2), SHL, load(0),
    get(C), i32(8), SHR_U, XOR, set(C),
    get(P), i32(1), ADD, set(P),
    BR_LOOP, END, END,
    get(C), i32(-1), XOR, END,
  );
}

/** frame(pos, length, index, term, type): params 0-4, local 5 (c). */
function frameBody(): number[] {
  const [POS, LEN, INDEX, TERM, TYPE, C] = [0, 1, 2, 3, 4, 5];
  const u64 = (param: number, offset: number) =>
    code(get(POS), get(param), I64_TRUNC_SAT_F64_U, I64_STORE, uleb(offset));
  // biome-ignore format: one line per statement, as in an assembly listing
  return code(
    [1, 1, I32], // one i32 local
    get(POS), get(LEN), store(0),
    u64(INDEX, 8),
    u64(TERM, 16),
    get(POS), get(TYPE), STORE8, 24,
    get(POS), get(POS), i32(4), ADD, i32(0), CALL_CRC, set(C),
    get(POS), i32(8), ADD, get(POS), i32(RECORD_HEADER_BYTES), ADD, get(LEN), ADD, get(C), CALL_CRC, set(C),
    get(POS), get(C), store(4),
    get(C), END,
  );
}

/** The module: types, the imported memory (env.memory, at least one page), two functions, exports. */
function moduleBytes(): Uint8Array {
  const crcType = [0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])];
  const frameType = [0x60, ...vec([[I32], [I32], [F64], [F64], [I32]]), ...vec([[I32]])];
  const bodies = [crcBody(), frameBody()].map((b) => [...uleb(b.length), ...b]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 0x01];
  const exports = [
    [...name('crc'), 0x00, 0],
    [...name('frame'), 0x00, 1],
  ];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version 1
    ...section(1, vec([crcType, frameType])),
    ...section(2, vec([memoryImport])),
    ...section(3, vec([[0], [1]])),
    ...section(7, vec(exports)),
    ...section(10, vec(bodies)),
  ]);
}

/** The slice of the WebAssembly API used here (the TypeScript lib in use does not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (limits: { initial: number; maximum: number }) => WasmMemory;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

let compiled: object | null | undefined;

/**
 * A fresh instance over its own memory of at least `dataBytes` bytes after the tables, or null
 * where WebAssembly is unavailable (node --jitless) or the memory cannot be had: the caller then
 * uses the JS implementation.
 */
export function instantiateCrc32c(
  dataBytes: number,
): { memory: WasmMemory; exports: Crc32cWasmExports } | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return null;
  try {
    if (compiled === undefined) compiled = new wasm.Module(moduleBytes());
    if (compiled === null) return null;
    const pages = Math.ceil((WASM_TABLE_BYTES + dataBytes) / 65536);
    const memory = new wasm.Memory({ initial: pages, maximum: pages });
    const instance = new wasm.Instance(compiled, { env: { memory } });
    new Int32Array(memory.buffer, 0, WASM_TABLE_BYTES / 4).set(crc32cTables(16));
    return { memory, exports: instance.exports as Crc32cWasmExports };
  } catch {
    compiled ??= null; // The module itself failed: do not try again. A memory may succeed later.
    return null;
  }
}
