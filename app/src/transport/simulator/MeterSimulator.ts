/**
 * Built-in meter simulator: a Netz NÖ meter (Kaifa, 3-phase) pushing every `intervalMs`, encrypted with the
 * key from the Netz NÖ customer-interface leaflet, frame counter increasing, from a plausible household load
 * profile with PV: base load, cooking and heat-pump peaks, PV around noon (export), energy counters rising
 * exactly by ∫P dt. Lets the whole pipeline run without hardware.
 */
import type { Logger } from '../../shared/logger.js';
import { BaseSource } from '../types.js';
import { SimulatedHousehold } from './household.js';
import { encodeNetzNoePush, type NetzNoeValues } from './netzNoePush.js';

export const SIMULATOR_SYSTEM_TITLE = Uint8Array.from([0x4b, 0x46, 0x4d, 0x67, 0x50, 0x00, 0x42, 0x42]); // "KFMg" + serial
export const SIMULATOR_METER_NUMBER = '100042424242';

/** Vienna wall-clock offset for a date: +02:00 from the last Sunday of March to the last Sunday of October. */
function viennaOffsetMinutes(t: Date): number {
  const y = t.getUTCFullYear();
  const lastSunday = (month: number) => {
    const d = new Date(Date.UTC(y, month + 1, 0, 1)); // last day of the month, 01:00 UTC
    d.setUTCDate(d.getUTCDate() - d.getUTCDay());
    return d.getTime();
  };
  return t.getTime() >= lastSunday(2) && t.getTime() < lastSunday(9) ? 120 : 60;
}

export class MeterSimulator extends BaseSource {
  readonly description = 'simulator (Netz NÖ Kaifa meter)';
  private timer: NodeJS.Timeout | null = null;
  private frameCounter = 1;
  private readonly household = new SimulatedHousehold({ importWh: 4_321_000, exportWh: 1_234_000 }, 12345);

  constructor(
    private readonly key: Uint8Array,
    private readonly intervalMs: number,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  start(): void {
    this.setStatus('open', `simulator pushing every ${this.intervalMs} ms`);
    this.log.info(`meter simulator started: a Netz NÖ meter pushing every ${this.intervalMs} ms`);
    this.household.startAt(this.clock().getTime());
    this.push();
    this.timer = setInterval(() => this.push(), this.intervalMs);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setStatus('closed', 'simulator stopped');
  }

  /** The values of the next push, advancing the counters by the power over the elapsed time. */
  next(now: Date): NetzNoeValues {
    const offset = viennaOffsetMinutes(now);
    const hour = ((now.getTime() / 3_600_000 + offset / 60) % 24 + 24) % 24;
    const minuteWave = Math.sin((now.getTime() / 60_000) * 0.9);
    const base = 280 + 60 * minuteWave + 25 * this.household.noise();
    const cooking = hour > 11 && hour < 13 ? 1800 : hour > 18 && hour < 20 ? 2200 : 0;
    const heatPump = Math.sin(now.getTime() / 900_000) > 0.6 ? 1400 : 0;
    const pv = hour > 7 && hour < 19 ? 3500 * Math.sin(((hour - 7) / 12) * Math.PI) * (0.85 + 0.1 * this.household.noise()) : 0;
    const net = base + cooking + heatPump - pv;
    const { powerImportW, powerExportW } = this.household.advance(net, now.getTime());
    const voltage = [230.5 + 2 * this.household.noise(), 231.2 + 2 * this.household.noise(), 229.8 + 2 * this.household.noise()] as const;
    const load = base + cooking + heatPump;
    const current = voltage.map((u, i) => (load * [0.45, 0.3, 0.25][i]!) / u) as unknown as readonly [number, number, number];
    return {
      time: now,
      utcOffsetMinutes: offset,
      energyImportWh: this.household.energyImportWh,
      energyExportWh: this.household.energyExportWh,
      powerImportW,
      powerExportW,
      voltage,
      current,
      powerFactor: Math.min(1, 0.93 + 0.05 * Math.abs(this.household.noise())),
      meterNumber: SIMULATOR_METER_NUMBER,
    };
  }

  private push(): void {
    const values = this.next(this.clock());
    this.emitData(encodeNetzNoePush(values, this.key, SIMULATOR_SYSTEM_TITLE, this.frameCounter++));
  }
}
