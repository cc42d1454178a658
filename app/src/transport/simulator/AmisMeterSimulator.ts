/**
 * Built-in simulator of a Netz Oberösterreich AMIS meter (Siemens TD-3511/TD-3512) for `npm start`, so a user in
 * Upper Austria sees the panel work before wiring anything. It plays the meter's side of the link protocol (AMIS
 * spec §2.2): while no reader answers it sends the search frame SND_NKE every `searchEveryMs` (60 s on a real
 * meter, shorter here); once a reader answers `E5` it sends one encrypted SND_UD frame per second, access number
 * from 00, FCB toggling; after 10 frames without an `E5` it returns to searching. The frames are encrypted with
 * the simulator key (mode 5) and carry a household load profile with PV export; the counters rise by ∫P dt.
 *
 * Unlike the Netz NÖ simulator it can be written to (`write`): the reader's acknowledgements arrive there.
 */
import { AMIS_SND_NKE, encodeAmisFrame, MBUS_ACK, type AmisValues } from '../../mbus/amisEncode.js';
import type { Logger } from '../../shared/logger.js';
import { SimulatedHousehold } from './household.js';
import { BaseSource } from '../types.js';

/** Unacknowledged data frames after which the meter searches again (AMIS spec §2.2.3). */
export const AMIS_MISSED_ACK_LIMIT = 10;

/** Central European wall clock: +02:00 from the last Sunday of March to the last Sunday of October (01:00 UTC). */
function summerTime(t: Date): boolean {
  const y = t.getUTCFullYear();
  const lastSunday = (month: number) => {
    const d = new Date(Date.UTC(y, month + 1, 0, 1));
    d.setUTCDate(d.getUTCDate() - d.getUTCDay());
    return d.getTime();
  };
  return t.getTime() >= lastSunday(2) && t.getTime() < lastSunday(9);
}

export interface AmisSimulatorOptions {
  /** Search frame period while no reader answers. Default 5000 ms (a real meter: 60 s). */
  readonly searchEveryMs?: number;
  /** Data frame period once synced. Default 1000 ms, as the meter. */
  readonly dataEveryMs?: number;
}

export class AmisMeterSimulator extends BaseSource {
  readonly description = 'simulator (Netz OÖ AMIS meter)';
  private timer: NodeJS.Timeout | null = null;
  private synced = false;
  private awaitingAck = false;
  private missed = 0;
  private accessNumber = 0;
  private fcb = false;
  private lastSearchAt = -Infinity;
  private lastDataAt = -Infinity;
  private readonly household = new SimulatedHousehold({ importWh: 3_456_000, exportWh: 987_000 }, 4711);
  private reactiveImportVarh = 412_000;
  private reactiveExportVarh = 156_000;

  constructor(
    private readonly key: Uint8Array,
    private readonly options: AmisSimulatorOptions,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  start(): void {
    this.setStatus('open', 'simulated AMIS meter searching for a reader');
    this.log.info(`AMIS meter simulator started: search frame every ${this.searchEveryMs} ms until a reader answers E5, then one frame per second`);
    this.household.startAt(this.clock().getTime());
    this.timer = setInterval(() => this.step(), 100);
    this.step();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.setStatus('closed', 'simulator stopped');
  }

  /** The reader's bytes: `E5` acknowledges the last search or data frame. */
  write(bytes: Uint8Array): boolean {
    for (const b of bytes) {
      if (b !== MBUS_ACK || !this.awaitingAck) continue;
      this.awaitingAck = false;
      this.missed = 0;
      if (!this.synced) {
        this.synced = true;
        this.accessNumber = 0;
        this.log.info('AMIS meter simulator: reader answered, sending data');
      }
    }
    return true;
  }

  private get searchEveryMs(): number {
    return this.options.searchEveryMs ?? 5000;
  }

  /** One scheduler step (every 100 ms): send what is due. Public for tests with a fake clock. */
  step(): void {
    const now = this.clock().getTime();
    if (!this.synced) {
      if (now - this.lastSearchAt >= this.searchEveryMs) {
        this.lastSearchAt = now;
        this.awaitingAck = true;
        this.emitData(AMIS_SND_NKE);
      }
      return;
    }
    if (now - this.lastDataAt < (this.options.dataEveryMs ?? 1000)) return;
    if (this.awaitingAck && ++this.missed >= AMIS_MISSED_ACK_LIMIT) {
      this.log.info(`AMIS meter simulator: ${AMIS_MISSED_ACK_LIMIT} frames unacknowledged, searching again`);
      this.synced = false;
      this.missed = 0;
      this.lastSearchAt = -Infinity;
      this.step();
      return;
    }
    this.lastDataAt = now;
    this.awaitingAck = true;
    const frame = encodeAmisFrame(this.next(this.clock()), this.key, this.accessNumber, this.fcb);
    this.accessNumber = (this.accessNumber + 1) & 0xff;
    this.fcb = !this.fcb;
    this.emitData(frame);
  }

  /** Values of the next frame: load with PV around noon, counters advanced by the power over the elapsed time. */
  next(now: Date): AmisValues {
    const summer = summerTime(now);
    const local = new Date(now.getTime() + (summer ? 120 : 60) * 60_000);
    const hour = local.getUTCHours() + local.getUTCMinutes() / 60;
    const load = 320 + 80 * Math.sin(now.getTime() / 40_000) + 30 * this.household.noise() + (hour > 18 && hour < 20 ? 2000 : 0);
    const pv = hour > 7 && hour < 19 ? 3200 * Math.sin(((hour - 7) / 12) * Math.PI) * (0.9 + 0.05 * this.household.noise()) : 0;
    const net = load - pv;
    const reactive = Math.round(60 + 20 * this.household.noise());
    const { powerImportW, powerExportW, hours } = this.household.advance(net, now.getTime());
    this.reactiveImportVarh += Math.max(0, reactive) * hours;
    return {
      localTime: local,
      summerTime: summer,
      energyImportWh: this.household.energyImportWh,
      energyExportWh: this.household.energyExportWh,
      reactiveImportVarh: Math.floor(this.reactiveImportVarh),
      reactiveExportVarh: Math.floor(this.reactiveExportVarh),
      powerImportW,
      powerExportW,
      reactivePowerImportVar: Math.max(0, reactive),
      reactivePowerExportVar: 0,
      // the Inkassozählwerk may be negative: the simulator shows a small negative balance
      collectionWh: -1234,
    };
  }
}
