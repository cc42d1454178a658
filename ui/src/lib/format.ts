/**
 * Number and time formatting in the panel's language (Intl). Values arrive display-ready from the backend
 * (scaled, with DLMS units); this only chooses digits and units for people. Energy is shown in kWh from Wh.
 */
import { lang } from '../i18n/index.js';

const locale = lang === 'de' ? 'de-AT' : 'en';
const nf = (digits: number) =>
  new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
const n0 = nf(0);
const n1 = nf(1);
const n2 = nf(2);
const n3 = nf(3);
const nAny = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 });
const signed0 = new Intl.NumberFormat(locale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
const dtf = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
const tf = new Intl.DateTimeFormat(locale, { timeStyle: 'medium' });

export const DASH = '–';
const ok = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/** Power in W, no decimals: "1,234 W". */
export const watts = (w: number | null | undefined): string => (ok(w) ? `${n0.format(w)} W` : DASH);
/** Signed power: "+523 W" / "−1,200 W". */
export const wattsSigned = (w: number | null | undefined): string => (ok(w) ? `${signed0.format(w)} W` : DASH);
/** Energy from Wh, shown as kWh with 3 decimals: 12937 → "12.937 kWh". */
export const kwh = (wh: number | null | undefined): string => (ok(wh) ? `${n3.format(wh / 1000)} kWh` : DASH);
export const volts = (v: number | null | undefined): string => (ok(v) ? `${n1.format(v)} V` : DASH);
export const amps = (a: number | null | undefined): string => (ok(a) ? `${n2.format(a)} A` : DASH);
export const factor = (f: number | null | undefined): string => (ok(f) ? n3.format(f) : DASH);
export const integer = (n: number | null | undefined): string => (ok(n) ? n0.format(n) : DASH);
/** Any number as the language writes it, up to 3 decimals: 233.7 → "233,7" in German. */
export const number = (n: number): string => (Number.isFinite(n) ? nAny.format(n) : String(n));

/** Any reading value with its DLMS unit; Wh/varh are shown as kWh/kvarh. */
export function reading(value: number | string, unit: string | null): string {
  if (typeof value === 'string') return value;
  if (unit === 'Wh' || unit === 'varh') return `${n3.format(value / 1000)} k${unit}`;
  return unit ? `${nAny.format(value)} ${unit}` : nAny.format(value);
}

/** ISO time → local date and time; meter clocks without offset are shown as sent. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
}
const hm = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const hms = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
/** Epoch ms → "14:05" / "02:05 PM" (chart axis). */
export const clock = (ms: number): string => hm.format(ms);
/** Epoch ms → "14:05:09" / "02:05:09 PM" (chart axis over short spans, chart readout). */
export const clockSec = (ms: number): string => hms.format(ms);
/** Chart value axis: "500 W", or "1.5 kW" on a kW axis. */
export const powerTick = (w: number, kw: boolean): string => (kw ? `${nAny.format(w / 1000)} kW` : `${n0.format(w)} W`);
export function time(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : tf.format(d);
}

const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
const unitFormat = (unit: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 0 });
const seconds = unitFormat('second');
const minutes = unitFormat('minute');
const hours = unitFormat('hour');
/** A duration in ms as the language says it: "45 seconds" / "45 Sekunden", "3 minutes", "2 hours". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return seconds.format(s);
  if (s < 7200) return minutes.format(Math.round(s / 60));
  return hours.format(Math.round(s / 3600));
}
/** "3 sec. ago" / "vor 3 Sek." from an ISO time and now (ms). */
export function age(iso: string | null | undefined, now: number): string {
  if (!iso) return DASH;
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 120) return rtf.format(-s, 'second');
  if (s < 7200) return rtf.format(-Math.round(s / 60), 'minute');
  return rtf.format(-Math.round(s / 3600), 'hour');
}

/** "4B464D67…" → "4B 46 4D 67 …" */
export const hexSpaced = (hex: string): string => hex.replace(/(..)(?!$)/g, '$1 ');
