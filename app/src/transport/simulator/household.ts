/**
 * What both simulated meters share: deterministic noise (a linear congruential generator, so a run is
 * reproducible) and active energy counters that grow by the power over the elapsed time.
 */
export class SimulatedHousehold {
  private lastAt = 0;
  private importWh: number;
  private exportWh: number;

  constructor(
    energy: { readonly importWh: number; readonly exportWh: number },
    private seed: number,
  ) {
    this.importWh = energy.importWh;
    this.exportWh = energy.exportWh;
  }

  /** The counters start counting from `now` (ms). */
  startAt(now: number): void {
    this.lastAt = now;
  }

  /** Deterministic noise in [-1, 1). */
  noise(): number {
    this.seed = (this.seed * 1103515245 + 12345) >>> 0;
    return (this.seed / 2 ** 32) * 2 - 1;
  }

  /**
   * The net power `netW` (positive: drawn from the grid) as import and export power, with the counters advanced by
   * them over the time since the last call; `hours` is that time, for the caller's other counters.
   */
  advance(netW: number, now: number): { readonly powerImportW: number; readonly powerExportW: number; readonly hours: number } {
    const powerImportW = Math.max(0, Math.round(netW));
    const powerExportW = Math.max(0, Math.round(-netW));
    const hours = Math.max(0, now - this.lastAt) / 3_600_000;
    this.lastAt = now;
    this.importWh += powerImportW * hours;
    this.exportWh += powerExportW * hours;
    return { powerImportW, powerExportW, hours };
  }

  /** Whole Wh, as the meters register them. */
  get energyImportWh(): number {
    return Math.floor(this.importWh);
  }

  get energyExportWh(): number {
    return Math.floor(this.exportWh);
  }
}
