/** Values for unit tests that build a push or an AMIS link state by hand: the usual ones, with what a test changes. */
import type { AmisLinkView } from '../../src/framing/mbus/AmisLink.js';
import type { NetzNoeValues } from '../../src/transport/simulator/netzNoePush.js';

/** A Netz NÖ push's values at `time` (a quiet household, meter 100042424242). */
export function netzNoeValues(time: Date, changes: Partial<NetzNoeValues> = {}): NetzNoeValues {
  return {
    time,
    utcOffsetMinutes: 60,
    energyImportWh: 5_000_000,
    energyExportWh: 500,
    powerImportW: 300,
    powerExportW: 0,
    voltage: [230, 231, 229],
    current: [0.5, 0.4, 0.3],
    powerFactor: 0.95,
    meterNumber: '100042424242',
    ...changes,
  };
}

/** The AMIS link's view in `state` since `since` with nothing counted yet, plus what a test changes. */
export function amisLinkView(state: AmisLinkView['state'], since: number, changes: Partial<AmisLinkView> = {}): AmisLinkView {
  return {
    state,
    since,
    searchFrames: 0,
    searchesWithoutData: 0,
    searchUnanswered: false,
    dataFrames: 0,
    acknowledgements: 0,
    echoes: 0,
    paritySignatures: 0,
    lastSearchAt: null,
    lastDataAt: null,
    ...changes,
  };
}
