/**
 * Encodes a Netz NÖ push exactly as the Kaifa/Sagemcom meters send it (protocol.md §5): a data-notification
 * with a 35-element flat structure (clock, 11 × {OBIS, value, {scaler, unit}}, meter number), encrypted as
 * general-glo-ciphering (SC 0x20, no tag) and split into two M-Bus frames.
 */
import { encodeGloCiphering } from '../../dlms/apdu/gloCipheringEncode.js';
import { encodeMbusFrames } from '../../framing/mbus/mbusEncode.js';

export interface NetzNoeValues {
  /** Local time of the meter clock. */
  readonly time: Date;
  /** Minutes east of UTC (e.g. 60 in winter, 120 in summer). */
  readonly utcOffsetMinutes: number;
  readonly energyImportWh: number;
  readonly energyExportWh: number;
  readonly powerImportW: number;
  readonly powerExportW: number;
  /** Volts, 0.1 V resolution. */
  readonly voltage: readonly [number, number, number];
  /** Amperes, 0.01 A resolution. */
  readonly current: readonly [number, number, number];
  /** 0..1, 0.001 resolution. */
  readonly powerFactor: number;
  readonly meterNumber: string;
}

function dateTime(time: Date, offsetMinutes: number, dst: boolean): number[] {
  // the wall-clock fields of `time` shifted to the meter's offset
  const local = new Date(time.getTime() + offsetMinutes * 60_000);
  const year = local.getUTCFullYear();
  const deviation = (-offsetMinutes) & 0xffff; // DLMS deviation = UTC − local, in minutes
  return [
    year >> 8,
    year & 0xff,
    local.getUTCMonth() + 1,
    local.getUTCDate(),
    ((local.getUTCDay() + 6) % 7) + 1, // 1 = Monday
    local.getUTCHours(),
    local.getUTCMinutes(),
    local.getUTCSeconds(),
    0,
    deviation >> 8,
    deviation & 0xff,
    dst ? 0x80 : 0x00,
  ];
}

const u32 = (n: number) => [0x06, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16 = (n: number) => [0x12, (n >>> 8) & 0xff, n & 0xff];
const obis = (c: number, d: number) => [0x09, 0x06, 0x01, 0x00, c, d, 0x00, 0xff];
const scalerUnit = (scaler: number, unit: number) => [0x02, 0x02, 0x0f, scaler & 0xff, 0x16, unit];

/** The decrypted data-notification. */
export function encodeNetzNoePlaintext(v: NetzNoeValues, invokeId: number): Uint8Array {
  const dst = v.utcOffsetMinutes === 120;
  const clock = dateTime(v.time, v.utcOffsetMinutes, dst);
  const number = Buffer.from(v.meterNumber, 'latin1');
  const round = (x: number) => Math.max(0, Math.round(x));
  const body = [
    0x09, 0x0c, ...clock,
    ...obis(1, 8), ...u32(round(v.energyImportWh)), ...scalerUnit(0, 0x1e),
    ...obis(2, 8), ...u32(round(v.energyExportWh)), ...scalerUnit(0, 0x1e),
    ...obis(1, 7), ...u32(round(v.powerImportW)), ...scalerUnit(0, 0x1b),
    ...obis(2, 7), ...u32(round(v.powerExportW)), ...scalerUnit(0, 0x1b),
    ...obis(32, 7), ...u16(round(v.voltage[0] * 10)), ...scalerUnit(-1, 0x23),
    ...obis(52, 7), ...u16(round(v.voltage[1] * 10)), ...scalerUnit(-1, 0x23),
    ...obis(72, 7), ...u16(round(v.voltage[2] * 10)), ...scalerUnit(-1, 0x23),
    ...obis(31, 7), ...u16(round(v.current[0] * 100)), ...scalerUnit(-2, 0x21),
    ...obis(51, 7), ...u16(round(v.current[1] * 100)), ...scalerUnit(-2, 0x21),
    ...obis(71, 7), ...u16(round(v.current[2] * 100)), ...scalerUnit(-2, 0x21),
    ...obis(13, 7), ...u16(round(v.powerFactor * 1000)), ...scalerUnit(-3, 0xff),
    0x09, number.length, ...number,
  ];
  const id = (invokeId | 0x80000000) >>> 0;
  return Uint8Array.from([
    0x0f, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff,
    0x0c, ...clock,
    0x02, 35,
    ...body,
  ]);
}

/** The two M-Bus frames of one push, as on the wire. */
export function encodeNetzNoePush(v: NetzNoeValues, key: Uint8Array, systemTitle: Uint8Array, frameCounter: number): Uint8Array {
  const apdu = encodeGloCiphering(encodeNetzNoePlaintext(v, frameCounter), key, systemTitle, frameCounter);
  return Uint8Array.from(Buffer.concat(encodeMbusFrames(apdu)));
}
