/**
 * Serial line settings a meter interface can use (baud rate, data bits, parity, stop bits), and `auto` for the
 * detection of SerialSource. Shared: the transport applies them, the options schema (config/) offers them.
 */
export const SERIAL_SETTINGS = ['auto', '2400_8E1', '2400_8N1', '9600_8N1', '9600_8E1', '9600_7E1', '115200_8N1'] as const;
export type SerialSettingsOption = (typeof SERIAL_SETTINGS)[number];
