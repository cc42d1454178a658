/**
 * OBIS codes (IEC 62056-6-1): six value groups A-B:C.D.E*F. Written `A-B:C.D.E` with F omitted when 255,
 * e.g. `1-0:1.8.0` for active energy import.
 */

/** Formats 6 OBIS bytes at `at`. */
export function formatObis(b: Uint8Array, at = 0): string {
  const f = b[at + 5]!;
  const s = `${b[at]}-${b[at + 1]}:${b[at + 2]}.${b[at + 3]}.${b[at + 4]}`;
  return f === 255 ? s : `${s}*${f}`;
}

/**
 * formatObis with a cache, one per decoder (held by Leaves): a meter repeats a handful of codes every push.
 * By A-B:C.D (an int) → list of [E, F, text]; bounded.
 */
export class ObisTexts {
  private readonly cache = new Map<number, [number, number, string][]>();

  format(b: Uint8Array, at = 0): string {
    const key = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
    const e = b[at + 4]!;
    const f = b[at + 5]!;
    let list = this.cache.get(key);
    if (list) {
      for (const entry of list) if (entry[0] === e && entry[1] === f) return entry[2];
    } else if (this.cache.size < 4096) {
      list = [];
      this.cache.set(key, list);
    }
    const s = formatObis(b, at);
    if (list && list.length < 16) list.push([e, f, s]);
    return s;
  }
}

/** `1.0.1.8.0` / `1.0.1.8.0.255` / `1-0:1.8.0` → `1-0:1.8.0` (for layouts written as data and for tests). */
export function normaliseObis(text: string): string {
  const m = /^(\d+)[.-](\d+)[.:](\d+)\.(\d+)\.(\d+)(?:[.*](\d+))?$/.exec(text.trim());
  if (!m) throw new TypeError(`not an OBIS code: ${text}`);
  const f = m[6] === undefined ? 255 : Number(m[6]);
  return `${m[1]}-${m[2]}:${m[3]}.${m[4]}.${m[5]}${f === 255 ? '' : `*${f}`}`;
}

/**
 * Whether 6 bytes plausibly are an OBIS code labelling a value: group A is 0 (abstract) or 1 (electricity),
 * and the code is not a push-setup object (C.D = 25.9, the list identifier some meters put first).
 */
export function isValueObis(b: Uint8Array, at = 0, length = b.length - at): boolean {
  if (length !== 6) return false;
  if (b[at]! > 1) return false;
  if (b[at + 2] === 25 && b[at + 3] === 9) return false;
  return true;
}

export const OBIS_CLOCK = '0-0:1.0.0';
export const OBIS_METER_NUMBER = '0-0:96.1.0';
export const OBIS_DEVICE_NAME = '0-0:42.0.0';
