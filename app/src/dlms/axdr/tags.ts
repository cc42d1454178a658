/** Data tags (Green Book "Data" CHOICE, IEC 62056-6-2 §4.1.5). */
export const TAG = {
  null: 0x00,
  array: 0x01,
  structure: 0x02,
  boolean: 0x03,
  bitString: 0x04,
  int32: 0x05,
  uint32: 0x06,
  octetString: 0x09,
  visibleString: 0x0a,
  utf8String: 0x0c,
  bcd: 0x0d,
  int8: 0x0f,
  int16: 0x10,
  uint8: 0x11,
  uint16: 0x12,
  int64: 0x14,
  uint64: 0x15,
  enum: 0x16,
  float32: 0x17,
  float64: 0x18,
  dateTime: 0x19,
  date: 0x1a,
  time: 0x1b,
} as const;

/** Deepest nesting of arrays/structures accepted (no meter comes near it; it bounds the walk). */
export const MAX_DEPTH = 16;

/** Tags whose value is a number (integers, floats, BCD): what a reading's value may be scaled from. */
export function isNumberTag(tag: number): boolean {
  switch (tag) {
    case TAG.int8:
    case TAG.int16:
    case TAG.int32:
    case TAG.uint8:
    case TAG.uint16:
    case TAG.uint32:
    case TAG.int64:
    case TAG.uint64:
    case TAG.float32:
    case TAG.float64:
    case TAG.bcd:
      return true;
    default:
      return false;
  }
}
