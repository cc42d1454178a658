/**
 * Builds M-Bus pushes the way Austrian Kaifa/Sagemcom meters send them (protocol.md §2–3), for tests that need a
 * push with chosen content: general-glo-ciphering (0xDB), SC 0x20 (encryption only, no tag, i.e. AES-CTR from
 * counter 2), split into long frames `68 L L 68 53 FF CI 01 67 … CS 16` with CI = segment | FIN.
 */
import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Vector {
  readonly key: string;
  readonly frames: readonly string[];
  readonly expected_plaintext?: string;
}

/** Reads a reference vector (app/test/fixtures/vectors, or the folder in SMR_VECTORS). */
export function loadVector(name: string): Vector {
  const dir = process.env.SMR_VECTORS ?? fileURLToPath(new URL('../fixtures/vectors/', import.meta.url));
  return JSON.parse(readFileSync(`${dir.replace(/\/?$/, '/')}${name}.json`, 'utf8')) as Vector;
}

function berLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

/** Encrypts a data-notification plaintext (starts 0F) into a general-glo-ciphering APDU, SC 0x20. */
export function encryptApdu(plaintext: Buffer, keyHex: string, systemTitle: Buffer, frameCounter: number): Buffer {
  const fc = Buffer.alloc(4);
  fc.writeUInt32BE(frameCounter);
  const iv = Buffer.concat([systemTitle, fc, Buffer.from([0, 0, 0, 2])]);
  const cipher = createCipheriv('aes-128-ctr', Buffer.from(keyHex, 'hex'), iv);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([
    Buffer.from([0xdb, systemTitle.length]),
    systemTitle,
    berLength(5 + ct.length),
    Buffer.from([0x20]),
    fc,
    ct,
  ]);
}

/** Splits an APDU into M-Bus long frames (max L = 250: 5 header bytes + 245 APDU bytes per frame). */
export function mbusFrames(apdu: Buffer): Buffer[] {
  const frames: Buffer[] = [];
  const chunk = 245;
  const count = Math.ceil(apdu.length / chunk);
  for (let seg = 0; seg < count; seg++) {
    const data = apdu.subarray(seg * chunk, (seg + 1) * chunk);
    const ci = seg | (seg === count - 1 ? 0x10 : 0);
    const body = Buffer.concat([Buffer.from([0x53, 0xff, ci, 0x01, 0x67]), data]);
    let cs = 0;
    for (const b of body) cs = (cs + b) & 0xff;
    frames.push(Buffer.concat([Buffer.from([0x68, body.length, body.length, 0x68]), body, Buffer.from([cs, 0x16])]));
  }
  return frames;
}

/**
 * The Netz NÖ document push (netznoe-doc-kaifa) with its meter number replaced by `meterNumber` and energy import
 * set to `energyWh`, encrypted with `keyHex`.
 */
export function netzNoePush(opts: { keyHex: string; meterNumber: string; energyWh?: number; frameCounter?: number }): Buffer {
  const v = loadVector('netznoe-doc-kaifa');
  if (!v.expected_plaintext) throw new Error('netznoe-doc-kaifa: expected_plaintext missing');
  let hex = v.expected_plaintext;
  const meterTlv = '090C313831323230303030303039'; // octet-string(12) "181220000009", the last element
  if (!hex.endsWith(meterTlv)) throw new Error('netznoe-doc-kaifa: unexpected plaintext tail');
  const number = Buffer.from(opts.meterNumber, 'latin1');
  if (number.length > 0x7f) throw new Error('meter number too long');
  hex = hex.slice(0, -meterTlv.length) + `09${number.length.toString(16).padStart(2, '0')}${number.toString('hex')}`;
  if (opts.energyWh !== undefined) {
    // 1-0:1.8.0 is followed by uint32 (06) 00003289 = 12937 Wh.
    const at = hex.indexOf('0100010800FF06');
    if (at < 0) throw new Error('netznoe-doc-kaifa: 1.8.0 not found');
    const value = opts.energyWh.toString(16).toUpperCase().padStart(8, '0');
    hex = hex.slice(0, at + 14) + value + hex.slice(at + 22);
  }
  const systemTitle = Buffer.from('4B464D6750000009', 'hex');
  const apdu = encryptApdu(Buffer.from(hex, 'hex'), opts.keyHex, systemTitle, opts.frameCounter ?? 0x24);
  return Buffer.concat(mbusFrames(apdu));
}

/** The unmodified vector bytes (all frames of one push). */
export function vectorBytes(name: string): Buffer {
  return Buffer.concat(loadVector(name).frames.map((f) => Buffer.from(f, 'hex')));
}
