/** Checksums of the link layers. */

const X25_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x8408 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/**
 * CRC-16/X-25 as used for the HDLC HCS and FCS (IEC 62056-46 §6.4.4, ISO/IEC 13239):
 * reflected polynomial 0x1021 (0x8408), init 0xFFFF, final XOR 0xFFFF. Sent least significant byte first.
 */
export function crc16x25(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ X25_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return (crc ^ 0xffff) & 0xffff;
}

/** M-Bus long-frame checksum (EN 13757-2 §5): arithmetic sum of C..last user data byte, modulo 256. */
export function mbusChecksum(bytes: Uint8Array, start: number, end: number): number {
  let sum = 0;
  for (let i = start; i < end; i++) sum += bytes[i]!;
  return sum & 0xff;
}

const ARC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/** CRC-16/ARC (reflected 0x8005, init 0) as used by DSMR 5 telegrams over `/`…`!`. */
export function crc16arc(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ ARC_TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc & 0xffff;
}
