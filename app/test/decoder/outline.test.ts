/** The A-XDR outline behind `decode --explain`: offsets, nesting, and bytes that stop making sense. */
import { describe, expect, it } from 'vitest';
import { outlineAxdr } from '../../src/dlms/axdr/outline.js';

const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex.replace(/\s/g, ''), 'hex'));

describe('outlineAxdr', () => {
  it('gives every value its offset and depth, and names OBIS codes, clocks and text', () => {
    // structure{ octet-string OBIS 1-0:1.8.0, uint32 1234, structure{int8 0, enum 30}, visible-string "AB" }
    const b = bytes('02 04 09 06 0100010800FF 06 000004D2 02 02 0F 00 16 1E 0A 02 4142');
    const lines = outlineAxdr(b, 0);
    expect(lines.map((l) => [l.offset, l.depth, l.text])).toEqual([
      [0, 0, 'structure(4)'],
      [2, 1, 'octet-string(6) 0100010800FF = OBIS 1-0:1.8.0'],
      [10, 1, 'uint32 1234'],
      [15, 1, 'structure(2)'],
      [17, 2, 'int8 0'],
      [19, 2, 'enum 30'],
      [21, 1, 'visible-string(2) 4142 "AB"'],
    ]);
  });

  it('says where and why it stops instead of throwing on truncated or unknown bytes', () => {
    const truncated = outlineAxdr(bytes('02 02 06 00000001 12 00'), 0);
    expect(truncated.at(-1)!.text).toMatch(/^\(stops: uint16 at offset 7 needs 2 bytes, 1 left\)$/);
    const unknown = outlineAxdr(bytes('02 01 EE'), 0);
    expect(unknown.at(-1)!.text).toBe('(stops: unknown A-XDR tag 0xee at offset 2)');
  });

  it('reports bytes after the value and caps the number of lines', () => {
    expect(outlineAxdr(bytes('11 05 FF FF'), 0).at(-1)!.text).toBe('(2 bytes after the value)');
    const many = bytes(`01 64 ${'11 01 '.repeat(100)}`);
    const lines = outlineAxdr(many, 0, many.length, 10);
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)!.text).toMatch(/more values from offset \d+, not shown/);
  });
});
