/**
 * Home Assistant MQTT discovery and state payloads, as pure functions of the meter, the reading keys and the
 * settings (homeassistant-addon.md §7): one device-based discovery message per meter
 * (`<prefix>/device/<id>/config`) with all sensors as components, a JSON state on `<base>/<id>/state`
 * and diagnostics on `<base>/<id>/diagnostics`. Availability is our LWT topic `<base>/status`.
 */
import type { MeterIdentity } from '../../decoder/types.js';
import type { Readings } from '../../readings/readings.js';
import { READER_STATUSES } from '../../monitor/health.js';
import type { Diagnostics } from '../../monitor/types.js';
import type { AcceptedPush } from '../../pipeline/events.js';
import { OBIS_POWER_EXPORT, OBIS_POWER_IMPORT } from '../../readings/normalise.js';
import type { MqttSettings } from '../types.js';
import { lookupObis, lookupSensor, presented, publishedValue, sensorDefinitions, type SensorDefinition } from './registry.js';

export const ORIGIN_NAME = 'Smart Meter Reader';
export const SUPPORT_URL = 'https://github.com/smart-meter-reader/smart-meter-reader';
/** Meter values become unavailable when no push arrived for this long (pushes come every 1–60 s). */
export const EXPIRE_AFTER_SECONDS = 120;
/** Device id when a push carries neither a meter number nor a system title (plaintext meters without id). */
export const UNIDENTIFIED_METER_ID = 'unidentified';

/**
 * Where one meter's topics and ids live. The first meter uses the add-on's base topic and plain ids (as the
 * single-meter add-on did); every added meter gets `<base>/<meter id>` as its base topic, `<meter id>_` before its
 * device id and its name on its devices, and shares the connection's availability topic.
 */
export interface DiscoverySettings extends Pick<MqttSettings, 'baseTopic' | 'discoveryPrefix'> {
  /** Availability (the connection's last will); default `<baseTopic>/status`. */
  readonly availabilityTopic?: string;
  /** Put before the meter's device id (unique ids, discovery topic, identifiers); default none. */
  readonly deviceIdPrefix?: string;
  /** The meter's name from the options, for the device names; default none (single-meter names). */
  readonly meterName?: string;
}

/** The device id one meter's entities use under these settings: `deviceIdPrefix` + deviceId(meter). */
export function meterDeviceId(settings: DiscoverySettings, meter: MeterIdentity): string {
  return `${settings.deviceIdPrefix ?? ''}${deviceId(meter)}`;
}

const availabilityOf = (settings: DiscoverySettings): string => settings.availabilityTopic ?? `${settings.baseTopic}/status`;

const sanitise = (text: string): string => text.trim().replace(/[^a-zA-Z0-9_-]/g, '_');

/**
 * Stable device id: the meter number, else the system title, sanitised to `[a-zA-Z0-9_-]`. Never derived from
 * the host name or the configuration, so a reinstall or rename keeps the same device and entities.
 */
export function deviceId(meter: MeterIdentity): string {
  for (const candidate of [meter.id, meter.systemTitle]) {
    if (candidate && candidate.trim() !== '') return sanitise(candidate);
  }
  return UNIDENTIFIED_METER_ID;
}

/** The manufacturer's name as the decoder set it (decoder/manufacturers.ts), null when the push names none. */
export function manufacturerName(meter: MeterIdentity): string | null {
  return meter.manufacturerName;
}

export interface MeterTopics {
  /** LWT / availability (retained `online` / `offline`). */
  readonly availability: string;
  readonly state: string;
  readonly diagnostics: string;
  /** Device-based discovery config topic. */
  readonly config: string;
  /** Home Assistant birth/last-will topic. */
  readonly birth: string;
}

export function topicsFor(settings: DiscoverySettings, id: string): MeterTopics {
  return {
    availability: availabilityOf(settings),
    state: `${settings.baseTopic}/${id}/state`,
    diagnostics: `${settings.baseTopic}/${id}/diagnostics`,
    config: `${settings.discoveryPrefix}/device/${id}/config`,
    birth: `${settings.discoveryPrefix}/status`,
  };
}

export type Component = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface DiscoveryPayload {
  readonly device: Readonly<Record<string, string | readonly string[]>>;
  readonly origin: { readonly name: string; readonly sw_version: string; readonly support_url: string };
  readonly availability: ReadonlyArray<{ readonly topic: string }>;
  readonly state_topic: string;
  readonly qos: number;
  readonly components: Readonly<Record<string, Component>>;
}

export interface DiscoveryMessage {
  readonly topic: string;
  readonly payload: DiscoveryPayload;
}

/** Jinja for one state key; a key missing from a push renders '' (ignored by numeric sensors, keeps the value). */
const valueTemplate = (key: string): string => `{{ value_json.${key} | default('') }}`;

function sensorComponent(id: string, def: SensorDefinition): Component {
  const c: Record<string, string | number | boolean> = {
    platform: 'sensor',
    unique_id: `${id}_${def.key}`,
    name: def.name,
  };
  if (def.deviceClass) c.device_class = def.deviceClass;
  if (def.stateClass) c.state_class = def.stateClass;
  if (def.unit) c.unit_of_measurement = def.unit;
  c.suggested_display_precision = def.decimals;
  c.value_template = valueTemplate(def.key);
  c.expire_after = EXPIRE_AFTER_SECONDS;
  return c;
}

/**
 * The OBIS codes of a push that may become Home Assistant entities: every reading except unscaled ones (a raw
 * register value without its scaler, readings.ts). Those are never discovered as a sensor with a unit or device
 * class: a guessed unit would be a wrong number. They stay in the state JSON under their OBIS code.
 */
export function discoverableObis(readings: Readings): string[] {
  const keys: string[] = [];
  for (const obis in readings) if (!readings[obis]!.unscaled) keys.push(obis);
  return keys;
}

/** Which sensors a set of OBIS codes yields, in registry order (stable whatever order the push has). */
export function sensorsFor(readingKeys: Iterable<string>): SensorDefinition[] {
  const present = new Set(readingKeys);
  return sensorDefinitions().filter((d) => present.has(d.obis));
}

/** The state keys of the entities a set of OBIS codes yields (incl. `net_power`). */
export function entityKeys(readingKeys: Iterable<string>): string[] {
  const present = new Set(readingKeys);
  const keys = sensorsFor(present).map((d) => d.key);
  if (present.has(OBIS_POWER_IMPORT) && present.has(OBIS_POWER_EXPORT)) keys.push('net_power');
  return keys;
}

/**
 * The device-based discovery message for a meter whose pushes carry `readingKeys` (OBIS codes; unknown codes are
 * ignored). `version` is the add-on version (origin.sw_version).
 */
export function buildDiscovery(
  meter: MeterIdentity,
  readingKeys: Iterable<string>,
  settings: DiscoverySettings,
  version: string,
): DiscoveryMessage {
  const id = meterDeviceId(settings, meter);
  const topics = topicsFor(settings, id);
  const present = new Set(readingKeys);
  const components: Record<string, Component> = {};
  for (const def of sensorsFor(present)) components[def.key] = sensorComponent(id, def);
  if (present.has(OBIS_POWER_IMPORT) && present.has(OBIS_POWER_EXPORT)) {
    components.net_power = {
      platform: 'sensor',
      unique_id: `${id}_net_power`,
      name: 'Net power',
      device_class: 'power',
      state_class: 'measurement',
      unit_of_measurement: 'W',
      suggested_display_precision: 0,
      value_template: valueTemplate('net_power'),
      expire_after: EXPIRE_AFTER_SECONDS,
    };
  }
  components.meter_time = {
    platform: 'sensor',
    unique_id: `${id}_meter_time`,
    name: 'Meter clock',
    device_class: 'timestamp',
    entity_category: 'diagnostic',
    value_template: '{{ value_json.meter_time }}',
  };
  const diagnostic = (key: string, name: string, extra: Record<string, string | number | boolean>): Component => ({
    platform: 'sensor',
    unique_id: `${id}_${key}`,
    name,
    entity_category: 'diagnostic',
    state_topic: topics.diagnostics,
    value_template: `{{ value_json.${key} }}`,
    ...extra,
  });
  components.last_push = diagnostic('last_push', 'Last push', { device_class: 'timestamp' });
  components.link_status = diagnostic('link_status', 'Link status', { icon: 'mdi:connection' });
  components.decode_errors = diagnostic('decode_errors', 'Decode errors', {
    state_class: 'total_increasing',
    icon: 'mdi:alert-circle-outline',
  });
  components.rejected_pushes = diagnostic('rejected_pushes', 'Rejected pushes', {
    state_class: 'total_increasing',
    icon: 'mdi:filter-remove-outline',
  });

  const device: Record<string, string | readonly string[]> = {
    identifiers: [`smartmeter_${id}`],
    name: settings.meterName ?? `Smart meter ${id}`,
    // the meter is read through the reader device (status and problem entities)
    via_device: readerDeviceId(settings),
  };
  const manufacturer = manufacturerName(meter);
  if (manufacturer) device.manufacturer = manufacturer;
  if (meter.id) device.serial_number = meter.id;

  return {
    topic: topics.config,
    payload: {
      device,
      origin: { name: ORIGIN_NAME, sw_version: version, support_url: SUPPORT_URL },
      availability: [{ topic: topics.availability }],
      state_topic: topics.state,
      qos: 0,
      components,
    },
  };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/**
 * The meter clock as Home Assistant timestamps need it (with an offset). Meters that send local time without a
 * deviation (L+G E450, Kamstrup) get the offset of the add-on's time zone (`TZ`) for that wall-clock time.
 * Null for missing or unparseable times.
 */
export function meterTime(time: string | null | undefined): string | null {
  if (!time) return null;
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(time)) return Number.isNaN(Date.parse(time)) ? null : time;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?$/.exec(time);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const local = new Date(y, mo - 1, d, h, mi, s);
  if (Number.isNaN(local.getTime())) return null;
  const offset = -local.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${time}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Net power is published like the powers it comes from (W, no decimals). */
const NET_POWER = lookupSensor(OBIS_POWER_IMPORT)!;

export type StateValue = number | string | null;
export type StatePayload = Readonly<Record<string, StateValue>>;

/**
 * The JSON state for one accepted push: registry sensors under their key (in the published unit, rounded; left
 * out when the value is not a finite number or not in its quantity's unit), `net_power` (the push's derived net
 * power, W) when both powers exist, text registers under their key, `meter_time` (with offset) and
 * any unknown OBIS code under the code itself with its raw value.
 */
export function buildState(push: AcceptedPush): StatePayload {
  const out: Record<string, StateValue> = {};
  for (const [obis, reading] of Object.entries(push.readings)) {
    const def = reading.unscaled ? undefined : lookupObis(obis);
    // unknown codes and unscaled raw values: under the OBIS code itself, never under a sensor's key
    if (def === undefined) out[obis] = reading.value;
    else if (def.kind === 'text') out[def.key] = String(reading.value);
    else {
      // A value that cannot be published safely is left out: the entity keeps its last value (or expires).
      const value = publishedValue(def, reading);
      if (value !== null) out[def.key] = value;
    }
  }
  // net power as the readings layer computed it (readings/normalise.ts), published where both powers are
  const { powerImportW, powerExportW, netPowerW } = push.derived;
  if (powerImportW !== null && powerExportW !== null && netPowerW !== null) out.net_power = presented(NET_POWER, netPowerW);
  const clockRegister = push.readings['0-0:1.0.0']?.value;
  out.meter_time = meterTime(push.time ?? (typeof clockRegister === 'string' ? clockRegister : null));
  out.received_at = push.receivedAt.toISOString();
  return out;
}

export interface DiagnosticsPayload {
  readonly link_status: string;
  readonly decode_errors: number;
  readonly rejected_pushes: number;
  readonly last_push: string | null;
}

export function buildDiagnostics(d: Diagnostics): DiagnosticsPayload {
  return {
    link_status: d.linkStatus,
    decode_errors: d.decodeErrors,
    rejected_pushes: d.rejectedPushes,
    last_push: d.lastPushAt ? d.lastPushAt.toISOString() : null,
  };
}

// --- the reader device: status and problem, from the moment MQTT connects -------------------------------------

/**
 * Device id of the reader itself (the add-on instance): `<base topic>_reader`, e.g. `smartmeter_reader`. It needs
 * no decoded push, so the status entities exist before the first push (wrong key, no data …). The base topic is
 * already unique per add-on instance on a broker (two instances with one base topic would share every topic), and
 * it does not change when the meter becomes known: one reader device, never an orphaned duplicate. The meter
 * device (readings) appears with the first decoded push and names the reader as its `via_device`.
 */
export function readerDeviceId(settings: Pick<MqttSettings, 'baseTopic'>): string {
  return `${sanitise(settings.baseTopic)}_reader`;
}

export interface ReaderTopics {
  /** Retained JSON `{status, problem, layer, code, since}`. */
  readonly state: string;
  readonly config: string;
}

export function readerTopicsFor(settings: DiscoverySettings): ReaderTopics {
  const id = readerDeviceId(settings);
  return { state: `${settings.baseTopic}/reader`, config: `${settings.discoveryPrefix}/device/${id}/config` };
}

/** Discovery for the reader device: the status enum sensor and the problem text sensor. */
export function buildReaderDiscovery(settings: DiscoverySettings, version: string): DiscoveryMessage {
  const id = readerDeviceId(settings);
  const topics = readerTopicsFor(settings);
  const components: Record<string, Component> = {
    status: {
      platform: 'sensor',
      unique_id: `${id}_status`,
      name: 'Status',
      device_class: 'enum',
      options: READER_STATUSES,
      entity_category: 'diagnostic',
      icon: 'mdi:list-status',
      value_template: '{{ value_json.status }}',
    },
    problem: {
      platform: 'sensor',
      unique_id: `${id}_problem`,
      name: 'Problem',
      entity_category: 'diagnostic',
      icon: 'mdi:alert-outline',
      value_template: '{{ value_json.problem }}',
      json_attributes_topic: topics.state,
      json_attributes_template: "{{ {'layer': value_json.layer, 'code': value_json.code, 'since': value_json.since} | tojson }}",
    },
  };
  return {
    topic: topics.config,
    payload: {
      device: {
        identifiers: [id],
        name: settings.meterName ? `Smart Meter Reader (${settings.meterName})` : 'Smart Meter Reader',
        model: 'Smart Meter Reader add-on',
        sw_version: version,
      },
      origin: { name: ORIGIN_NAME, sw_version: version, support_url: SUPPORT_URL },
      availability: [{ topic: availabilityOf(settings) }],
      state_topic: topics.state,
      qos: 0,
      components,
    },
  };
}

export interface ReaderStatePayload {
  readonly status: string;
  readonly problem: string;
  readonly layer: string;
  readonly code: string | null;
  readonly since: string;
}

export function buildReaderState(d: Pick<Diagnostics, 'status' | 'problem' | 'statusLayer' | 'statusCode' | 'statusSince'>): ReaderStatePayload {
  return { status: d.status, problem: d.problem, layer: d.statusLayer, code: d.statusCode, since: d.statusSince.toISOString() };
}
