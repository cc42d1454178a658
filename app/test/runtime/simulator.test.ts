/** The built-in simulator sends real Netz NÖ pushes that the decoder reads back exactly. */
import { describe, expect, it } from 'vitest';
import { decodeCapture } from '../../src/cli/decodeCommand.js';
import { MeterSimulator, SIMULATOR_METER_NUMBER } from '../../src/transport/simulator/MeterSimulator.js';
import { encodeNetzNoePlaintext } from '../../src/transport/simulator/netzNoePush.js';
import { silentLogger } from '../../src/shared/logger.js';
import { sharedVectors } from '../support/vectors.js';

const KEY = Uint8Array.from(Buffer.from('36C66639E48A8CA4D6BC8B282A793BBB', 'hex'));

describe('meter simulator', () => {
  it('encodes the Netz NÖ leaflet plaintext byte for byte', () => {
    const v = sharedVectors().find((x) => x.name === 'netznoe-doc-kaifa')!;
    const plaintext = encodeNetzNoePlaintext(
      {
        time: new Date(Date.UTC(2021, 8, 27, 7, 47, 15)),
        utcOffsetMinutes: 120,
        energyImportWh: 12937,
        energyExportWh: 0,
        powerImportW: 0,
        powerExportW: 0,
        voltage: [233.7, 0, 0],
        current: [0, 0, 0],
        powerFactor: 1,
        meterNumber: '181220000009',
      },
      0x06870e,
    );
    expect(Buffer.from(plaintext).toString('hex').toUpperCase()).toBe(v.expected_plaintext);
  });

  it('sends pushes with increasing frame counters and rising energy that decode with the leaflet key', async () => {
    const chunks: Uint8Array[] = [];
    let t = Date.UTC(2026, 5, 1, 10, 0, 0);
    const sim = new MeterSimulator(KEY, 60_000, silentLogger, () => new Date(t));
    sim.onData((c) => chunks.push(c));
    sim.start();
    for (let i = 0; i < 5; i++) {
      t += 60_000;
      (sim as unknown as { push(): void }).push();
    }
    await sim.stop();
    const records = decodeCapture(Uint8Array.from(Buffer.concat(chunks)), { key: KEY, authKey: null, framing: 'auto' });
    expect(records).toHaveLength(6);
    const energy = records.map((r) => (r.ok ? (r.readings['1-0:1.8.0']!.value as number) + (r.readings['1-0:2.8.0']!.value as number) : NaN));
    for (let i = 1; i < energy.length; i++) expect(energy[i]!).toBeGreaterThan(energy[i - 1]!);
    for (const r of records) {
      expect(r.ok && r.meter.id).toBe(SIMULATOR_METER_NUMBER);
      expect(r.ok && r.time).toMatch(/\+02:00$/);
    }
  });
});
