/**
 * Which operator profile a push matches, for the Health page (protocol.md §6: the push shape tells the
 * operator apart: Netz NÖ's flat 35-element list, the KSMWest nested list with a device name, the Wiener Netze
 * and P1 positional layouts, Steiermark's DSMR telegram and block-transferred E450 pushes).
 */
import type { DecodedPush } from '../decoder/types.js';

const LAYOUT_OPERATORS: Readonly<Record<string, string>> = {
  'wiener-netze-ir': 'Wiener Netze (infrared)',
  'wiener-netze-ir-meter-id': 'Wiener Netze (infrared)',
  'p1-am550-im350': 'KNG-Kärnten Netz (P1)',
  'p1-im350-short': 'Siemens IM350 P1 (e.g. Netz Wels)',
  'burgenland-e450': 'Netz Burgenland',
  'kaifa-kfm001-list1': 'Norway/Sweden HAN (Kaifa KFM_001)',
  'kaifa-kfm001-list2-1p': 'Norway/Sweden HAN (Kaifa KFM_001)',
  'kaifa-kfm001-list2-3p': 'Norway/Sweden HAN (Kaifa KFM_001)',
  'kaifa-kfm001-list3-1p': 'Norway/Sweden HAN (Kaifa KFM_001)',
  'kaifa-kfm001-list3-3p': 'Norway/Sweden HAN (Kaifa KFM_001)',
  // M-Bus application layer with the AMIS record table (mbus/amisRecords.ts)
  'mbus-records': 'Netz Oberösterreich (AMIS)',
};

function operatorOf(push: DecodedPush, framing: string | null, frames: number): string | null {
  const byLayout = LAYOUT_OPERATORS[push.layout];
  if (byLayout) return byLayout;
  if (push.layout === 'dsmr') {
    // plain text telegrams come from many countries; inside ciphering: Steiermark, or Luxembourg (Smarty
    // telegrams name their logical device, 0-0:42.0.0)
    if (framing !== 'raw') return null;
    return push.readings['0-0:42.0.0'] ? 'Luxembourg Smarty (P1, DSMR)' : 'Energienetze Steiermark (P1, DSMR)';
  }
  if (push.layout !== 'obis') return null;
  if (framing === 'mbus') {
    return push.readings['0-0:42.0.0'] ? 'TINETZ / Salzburg Netz / Vorarlberg Netz' : 'Netz NÖ (EVN)';
  }
  if (framing === 'hdlc' && push.meter.manufacturer === 'LGZ' && frames > 1) return 'Energienetze Steiermark (L+G E450)';
  return null;
}

/** e.g. "Netz NÖ (EVN): Kaifa via M-Bus". */
export function profileOf(push: DecodedPush, framing: string | null, frames: number): string {
  const who = push.meter.manufacturerName ?? 'meter';
  const how = framing === 'mbus' ? 'M-Bus' : framing === 'hdlc' ? 'HDLC' : framing === 'raw' ? 'P1 without link layer' : framing === 'dsmr' ? 'DSMR P1 telegram' : 'unknown link';
  const operator = operatorOf(push, framing, frames);
  return operator ? `${operator}: ${who} via ${how}` : `${who} via ${how}`;
}
