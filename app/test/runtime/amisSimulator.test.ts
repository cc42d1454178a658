/** The built-in AMIS meter simulator plays the meter's side of the link and sends frames the decoder reads back. */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { SIMULATOR_KEY_HEX } from '../../src/config/load.js';
import { AMIS_SND_NKE } from '../../src/mbus/amisEncode.js';
import { silentLogger } from '../../src/shared/logger.js';
import { AmisMeterSimulator } from '../../src/transport/simulator/AmisMeterSimulator.js';

const KEY = Uint8Array.from(Buffer.from(SIMULATOR_KEY_HEX, 'hex'));

function setup() {
  let t = Date.UTC(2026, 6, 1, 10, 0, 0);
  const sim = new AmisMeterSimulator(KEY, { searchEveryMs: 5000 }, silentLogger, () => new Date(t));
  const sent: Uint8Array[] = [];
  sim.onData((c) => sent.push(c));
  const advance = (ms: number) => {
    for (let i = 0; i < ms / 100; i++) {
      t += 100;
      sim.step();
    }
  };
  return { sim, sent, advance };
}

describe('AMIS meter simulator', () => {
  it('searches every 5 s until a reader answers E5, then sends one encrypted frame per second', () => {
    const { sim, sent, advance } = setup();
    sim.step();
    advance(12_000);
    expect(sent.map((c) => Buffer.from(c).toString('hex'))).toEqual(Array(3).fill(Buffer.from(AMIS_SND_NKE).toString('hex')));
    sim.write(Uint8Array.of(0xe5));
    sent.length = 0;
    for (let i = 0; i < 5; i++) {
      advance(1000);
      sim.write(Uint8Array.of(0xe5));
    }
    expect(sent).toHaveLength(5);
    const records = decodeCapture(Buffer.concat(sent), { key: KEY, authKey: null, framing: 'amis' });
    expect(records.every((r) => r.ok)).toBe(true);
    expect(sent.map((f) => f[15])).toEqual([0, 1, 2, 3, 4]); // access numbers from 0
    const first = records[0]!;
    expect(first.ok && first.readings['1-0:1.128.0']).toEqual({ value: -1234, unit: 'Wh' });
    expect(first.ok && first.time).toMatch(/\+02:00$/); // July: summer time flag set
  });

  it('falls back to searching after 10 unacknowledged frames', () => {
    const { sim, sent, advance } = setup();
    sim.step();
    sim.write(Uint8Array.of(0xe5));
    sent.length = 0;
    advance(11_500);
    const kinds = sent.map((c) => (c[0] === 0x10 ? 'search' : 'data'));
    expect(kinds.slice(0, 10)).toEqual(Array(10).fill('data'));
    expect(kinds[10]).toBe('search');
  });
});
