/**
 * data-notification APDU (IEC 62056-5-3 §8.8.4, tag 0x0F):
 *
 *   0F | long-invoke-id-and-priority (u32) | date-time (OCTET STRING OPTIONAL) | notification-body (Data)
 *
 * The date-time is `00` when absent, or a 12-byte octet string written `0C <12>` (length only, as the
 * Austrian meters send it) or `09 0C <12>` (with the octet-string tag).
 */
import { compactBodyEnd } from '../axdr/compactDescriptors.js';
import { AxdrCursor, AxdrInvalid, AxdrTruncated, skipValue } from '../axdr/cursor.js';
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
 * Parses a data-notification that must end exactly at `end` (the tree, for the frame inspector).
 * Throws AxdrTruncated when the bytes end early and AxdrInvalid (a RangeError) for anything malformed.
 */
export function parseDataNotification(apdu: Uint8Array, start = 0, end = apdu.length): DataNotification {
  const header = parseNotificationHeader(apdu, start, end);
  const r = new Reader(apdu, header.bodyStart, end);
  const body = decodeValue(r);
  if (r.pos !== end) throw new AxdrInvalid('AXDR_INVALID', `${end - r.pos} bytes left after the notification body`);
  const dateTime = header.dateTimeAt >= 0 ? apdu.subarray(header.dateTimeAt, header.dateTimeAt + 12) : null;
  return { invokeId: header.invokeId, dateTime, body, bodyStart: header.bodyStart };
}

/** `notificationLength`: the bytes end before the notification does. */
export const NOTIFICATION_NEED_MORE = -1;
/** `notificationLength`: no data-notification starts here. */
export const NOTIFICATION_INVALID = -2;

/**
 * Length of a complete data-notification at `start`, for framers of unframed streams (injected into the raw
 * framer by the decoder: framing does not import dlms). A body that is no plain A-XDR may still be a
 * compact-descriptor body (Sagemcom XT211, see axdr/compactDescriptors.ts). Never throws: the length, or
 * NOTIFICATION_NEED_MORE / NOTIFICATION_INVALID.
 */
export function notificationLength(buf: Uint8Array, start: number, end: number, cursor = new AxdrCursor()): number {
  try {
    return measureDataNotification(buf, start, end, cursor);
  } catch (e) {
    return e instanceof AxdrTruncated ? NOTIFICATION_NEED_MORE : NOTIFICATION_INVALID;
  }
}

/** Length of a complete data-notification at `start`; throws AxdrTruncated / AxdrInvalid (RangeError). */
export function measureDataNotification(buf: Uint8Array, start: number, end: number, cursor = new AxdrCursor()): number {
  const bodyStart = parseNotificationHeader(buf, start, end).bodyStart;
  const after = skipValue(cursor, buf, bodyStart, end);
  if (after >= 0) return after - start;
  const fault = cursor.fault;
  const text = cursor.faultText;
  if (fault === 'AXDR_TRUNCATED') throw new AxdrTruncated(text);
  const compactEnd = compactBodyEnd(buf, bodyStart, end, cursor);
  if (compactEnd < 0) throw new AxdrInvalid(fault ?? 'AXDR_INVALID', text);
  return compactEnd - start;
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
