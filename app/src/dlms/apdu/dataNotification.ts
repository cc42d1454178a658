/**
 * data-notification APDU (IEC 62056-5-3 §8.8.4, tag 0x0F):
 *
 *   0F | long-invoke-id-and-priority (u32) | date-time (OCTET STRING OPTIONAL) | notification-body (Data)
 *
 * The date-time is `00` when absent, or a 12-byte octet string written `0C <12>` (length only, as the
 * Austrian meters send it) or `09 0C <12>` (with the octet-string tag).
 */
import { compactBodyEnd } from '../axdr/compactDescriptors.js';
import { decodeValue, type DlmsValue } from '../axdr/decode.js';
import { Reader } from '../axdr/Reader.js';

export const DATA_NOTIFICATION = 0x0f;

export interface DataNotification {
  readonly invokeId: number;
  /** The 12 raw date-time bytes of the header, or null when absent. */
  readonly dateTime: Uint8Array | null;
  readonly body: DlmsValue;
  /** Offset of the body inside the APDU (for the frame inspector). */
  readonly bodyStart: number;
}

/**
 * Parses a data-notification that must end exactly at `end`.
 * Throws AxdrTruncated when the bytes end early and RangeError for anything malformed.
 */
export function parseDataNotification(apdu: Uint8Array, start = 0, end = apdu.length): DataNotification {
  const header = parseNotificationHeader(apdu, start, end);
  const r = new Reader(apdu, header.bodyStart, end);
  const body = decodeValue(r);
  if (r.pos !== end) throw new RangeError(`${end - r.pos} bytes left after the notification body`);
  const dateTime = header.dateTimeAt >= 0 ? apdu.subarray(header.dateTimeAt, header.dateTimeAt + 12) : null;
  return { invokeId: header.invokeId, dateTime, body, bodyStart: header.bodyStart };
}

/**
 * Length of a complete data-notification at `start`, for framers of unframed streams. A body that is no
 * plain A-XDR may still be a compact-descriptor body (Sagemcom XT211, see axdr/compactDescriptors.ts).
 */
export function measureDataNotification(buf: Uint8Array, start: number, end: number): number {
  const bodyStart = parseNotificationHeader(buf, start, end).bodyStart;
  const r = new Reader(buf, bodyStart, end);
  try {
    decodeValue(r);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const compactEnd = compactBodyEnd(buf, bodyStart, end);
    if (compactEnd < 0) throw e;
    return compactEnd - start;
  }
  return r.pos - start;
}

/** Header of a data-notification: where its date-time (12 bytes) and its body start. */
export interface NotificationHeader {
  readonly invokeId: number;
  /** Offset of the 12 date-time bytes, or -1 when absent. */
  readonly dateTimeAt: number;
  readonly bodyStart: number;
}

/** Parses the header (tag, invoke id, date-time) of the data-notification at `start`. */
export function parseNotificationHeader(apdu: Uint8Array, start = 0, end = apdu.length): NotificationHeader {
  const r = new Reader(apdu, start, end);
  const tag = r.u8();
  if (tag !== DATA_NOTIFICATION) throw new RangeError(`not a data-notification (tag 0x${tag.toString(16)})`);
  const invokeId = r.u32();
  let dateTimeAt = -1;
  const dtLength = r.u8();
  if (dtLength === 0x09) {
    const inner = r.u8();
    if (inner !== 12) throw new RangeError(`date-time octet string of ${inner} bytes`);
    dateTimeAt = r.pos;
    r.skip(12);
  } else if (dtLength === 12) {
    dateTimeAt = r.pos;
    r.skip(12);
  } else if (dtLength !== 0) {
    throw new RangeError(`date-time field of ${dtLength} bytes`);
  }
  return { invokeId, dateTimeAt, bodyStart: r.pos };
}
