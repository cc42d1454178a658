/** Formatting for the History page (Intl, the panel's language): kWh figures, hour and day labels. */
import { lang } from '../i18n/index.js';

const locale = lang === 'de' ? 'de-AT' : 'en';
const kwh2 = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const kwh1 = new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const hour = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' });
const dayShort = new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'numeric', timeZone: 'UTC' });
const dayLong = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
const dateTime = new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

/** Energy from Wh as kWh: two decimals below 100 kWh, one above ("0.52 kWh", "123.4 kWh"). */
export const kwhOf = (wh: number): string => `${(Math.abs(wh) < 100_000 ? kwh2 : kwh1).format(wh / 1000)} kWh`;
/** Axis tick in kWh with as few digits as the step needs. */
export const kwhTick = (wh: number, step: number): string =>
  new Intl.NumberFormat(locale, { maximumFractionDigits: step >= 1000 ? 0 : step >= 100 ? 1 : 2 }).format(wh / 1000);
/** Hour start (epoch ms) → "14:00" in the browser's zone. */
export const hourLabel = (t: number): string => hour.format(t);
/** Hour start → "Thu, 3 Dec, 14:00" (readout and table). */
export const hourLong = (t: number): string => dateTime.format(t);
/** "2026-12-03" (a calendar date; formatted in UTC so no zone shifts it) → "3.12." / "12/3". */
export const dayLabel = (date: string): string => dayShort.format(Date.parse(`${date}T00:00:00Z`));
/** "2026-12-03" → "Thu, 3 Dec". */
export const dayLongLabel = (date: string): string => dayLong.format(Date.parse(`${date}T00:00:00Z`));
