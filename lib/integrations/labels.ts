/**
 * Turning foreign attribute names and values into logcluster labels (API.md: at most LABELS_MAX
 * keys of letters, digits, `_ . : / -` starting with a letter or `_`; values of at most
 * LABEL_VALUE_BYTES_MAX bytes). Used where a protocol's own data may not fit (OTLP attributes,
 * syslog structured data, logger bindings): keys are rewritten, values cut, extra pairs dropped
 * and counted, never a reason to refuse a record.
 */

import { LABEL_KEY_BYTES_MAX, LABEL_VALUE_BYTES_MAX, LABELS_MAX } from '../node/entries/limits.js';

/** A label key the store accepts: invalid characters become `_`, a bad first character gets a `_` prefix. */
export function labelKey(name: string): string {
  let key = name.replace(/[^\w.:/-]/g, '_');
  if (!/^[A-Za-z_]/.test(key)) key = `_${key}`;
  return key.slice(0, LABEL_KEY_BYTES_MAX);
}

/** `text` cut to at most `bytesMax` UTF-8 bytes, never inside a character. */
export function truncateUtf8(text: string, bytesMax: number): string {
  if (text.length * 3 <= bytesMax || Buffer.byteLength(text, 'utf8') <= bytesMax) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = bytesMax;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

/** A label value: strings as they are, numbers and booleans as text, other JSON as JSON; cut to size. */
export function labelValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return truncateUtf8(text, LABEL_VALUE_BYTES_MAX);
}

/** Collects labels up to LABELS_MAX; later pairs beyond it are counted in `dropped`. */
export class LabelSet {
  readonly labels: Record<string, string> = {};
  #count = 0;
  dropped = 0;

  /** Adds one pair (a key already present is overwritten and does not count twice). */
  add(name: string, value: unknown): void {
    const key = labelKey(name);
    if (key in this.labels) {
      this.labels[key] = labelValue(value);
      return;
    }
    if (this.#count >= LABELS_MAX || key === '__proto__') {
      this.dropped++;
      return;
    }
    this.labels[key] = labelValue(value);
    this.#count++;
  }

  /** The labels, or undefined when there are none. */
  result(): Record<string, string> | undefined {
    return this.#count === 0 ? undefined : this.labels;
  }
}
