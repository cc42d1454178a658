/** The quantity table and the LAYOUT_UNKNOWN type signature. */
import { describe, expect, it } from 'vitest';
import { collapse, MAX_SIGNATURE_LENGTH, typeSignature } from '../../src/dlms/axdr/signature.js';
import { implausibility, quantityOf, quantityOfCode } from '../../src/readings/quantities.js';
import { CLOCK, I8, O, OBIS, S, scalerUnit, U16, U32, Vs } from './axdrBuild.js';

describe('quantity table', () => {
  it('knows the electricity quantities by C and D, per phase too', () => {
    expect(quantityOf('1-0:32.7.0')?.kind).toBe('voltage');
    expect(quantityOf('1-0:71.7.0')?.kind).toBe('current');
    expect(quantityOf('1-0:91.7.0')?.kind).toBe('current');
    expect(quantityOf('1-0:33.7.0')?.kind).toBe('powerFactor');
    expect(quantityOf('1-0:14.7.0')?.unit).toBe('Hz');
    expect(quantityOf('1-0:21.7.0')?.unit).toBe('W');
    expect(quantityOf('1-1:1.8.0')?.unit).toBe('Wh');
    expect(quantityOf('1-0:4.8.2')?.unit).toBe('varh');
    expect(quantityOf('1-0:9.7.0')?.unit).toBe('VA');
    expect(quantityOf('0-0:1.0.0')).toBeNull();
    expect(quantityOf('0-0:96.1.0')).toBeNull();
    expect(quantityOf('1-0:0.0.1')).toBeNull();
  });

  it('gives the same answer from the OBIS bytes as from the text (the hot path uses the bytes)', () => {
    for (let c = 0; c < 256; c++) {
      for (const d of [7, 8, 9]) {
        expect(quantityOfCode(1, c, d), `1-0:${c}.${d}.0`).toBe(quantityOf(`1-0:${c}.${d}.0`));
        expect(quantityOfCode(0, c, d)).toBeNull();
      }
    }
    expect(quantityOf('1-0:32.7.0')?.unitCode).toBe(35);
    expect(quantityOf('1-0:13.7.0')?.unitCode).toBe(255);
  });

  it('checks wide physical limits in canonical units', () => {
    expect(implausibility('1-0:32.7.0', { value: 233.7, unit: 'V' })).toBeNull();
    expect(implausibility('1-0:32.7.0', { value: 900, unit: 'V' })?.detail).toMatch(/^1-0:32\.7\.0 = 900 V: outside 0…500 V/);
    expect(implausibility('1-0:31.7.0', { value: -1001 })).not.toBeNull();
    expect(implausibility('1-0:14.7.0', { value: 0, unit: 'Hz' })).toBeNull();
    expect(implausibility('1-0:14.7.0', { value: 30, unit: 'Hz' })).not.toBeNull();
    expect(implausibility('1-0:13.7.0', { value: 1 })).toBeNull();
    expect(implausibility('1-0:13.7.0', { value: 83 })).not.toBeNull();
    expect(implausibility('1-0:1.7.0', { value: 999, unit: 'kW' })).toBeNull();
    expect(implausibility('1-0:1.7.0', { value: 1001, unit: 'kW' })).not.toBeNull();
    expect(implausibility('1-0:1.8.0', { value: 7112.944, unit: 'kWh' })).toBeNull();
    expect(implausibility('1-0:1.8.0', { value: -1, unit: 'Wh' })?.detail).toMatch(/outside/);
    expect(implausibility('1-0:1.8.0', { value: 5, unit: 'V' })?.detail).toMatch(/not a unit of activeEnergy/);
    expect(implausibility('1-0:1.8.0', { value: 'abc' })?.detail).toMatch(/not a number/);
    expect(implausibility('1-0:1.8.0', { value: Number.POSITIVE_INFINITY })?.detail).toMatch(/finite/);
  });

  it('checks unscaled readings only for finite, non-negative energy', () => {
    expect(implausibility('1-0:32.7.0', { value: 2337, unscaled: true })).toBeNull();
    expect(implausibility('1-0:13.7.0', { value: 941, unscaled: true })).toBeNull();
    expect(implausibility('1-1:1.8.0', { value: -3, unscaled: true })?.detail).toMatch(/cannot be negative/);
  });
});

describe('type signature', () => {
  const sig = (bytes: number[]) => typeSignature(Uint8Array.from(bytes), 0);

  it('writes types and counts, never values', () => {
    const noe = S(CLOCK, OBIS('1-0:1.8.0'), U32(12937), scalerUnit(0, 30), OBIS('1-0:2.8.0'), U32(5), scalerUnit(0, 30), Vs('181220000009'));
    expect(sig(noe)).toBe('S(O12,2×(O6,U32,S(I8,E)),V12)');
  });

  it('collapses repeats of runs up to four elements', () => {
    expect(collapse(['a', 'a', 'a'])).toBe('3×a');
    expect(collapse(['a', 'b', 'a', 'b', 'c'])).toBe('2×(a,b),c');
    expect(collapse(['x', 'a', 'b', 'c', 'a', 'b', 'c'])).toBe('x,2×(a,b,c)');
  });

  it('marks where the bytes stop parsing and stays bounded', () => {
    expect(sig([0x02, 0x02, 0x12, 0x00, 0x01, 0x60])).toBe('S(U16,?@5)');
    expect(sig([...U16(1), 0x99])).toBe('U16,?@3');
    const many = S(...Array.from({ length: 200 }, (_, i) => (i % 2 ? U16(i) : [...I8(i), ...O([i])])));
    expect(sig(many).length).toBeLessThanOrEqual(MAX_SIGNATURE_LENGTH);
  });
});
