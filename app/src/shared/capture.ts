/** The capture file format: what the panel's capture download writes and the CLI and the replay source read. */
import { fromHex, looksLikeHexText } from './hex.js';

/**
 * A capture file's bytes: hex text (whitespace, and `#` comment lines as written by the panel's capture
 * download, are ignored) or raw bytes.
 */
export function captureBytes(file: Uint8Array): Uint8Array {
  const text = Buffer.from(file.buffer, file.byteOffset, file.length).toString('latin1');
  const withoutComments = text.replace(/^[ \t]*#.*$/gm, '');
  const asBytes = Buffer.from(withoutComments, 'latin1');
  if (looksLikeHexText(asBytes)) return fromHex(withoutComments);
  return file;
}
