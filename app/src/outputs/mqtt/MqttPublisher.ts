/**
 * MQTT output: availability (LWT), Home Assistant discovery, state and diagnostics.
 *
 * Resilience (style.md principle 9): mqtt.js reconnects by itself (`reconnectPeriod`); QoS 0 messages are not
 * queued while offline (`queueQoSZero: false`) and nothing is published while disconnected: on every (re)connect
 * the publisher sends `online`, the discovery and the LATEST state and diagnostics instead of replaying a stale
 * queue. When Home Assistant announces itself (`<prefix>/status` = `online`) discovery and state are published
 * again after a small random delay. Connection problems are surfaced as distinct states (auth_failed,
 * unreachable) through `status` / `onStatus`.
 */
import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MeterIdentity } from '../../decoder/types.js';
import { STATUS_TEXT } from '../../monitor/health.js';
import type { Logger } from '../../shared/logger.js';
import {
  buildDiagnostics,
  buildDiscovery,
  buildReaderDiscovery,
  buildReaderState,
  buildState,
  discoverableObis,
  entityKeys,
  EXPIRE_AFTER_SECONDS,
  meterDeviceId,
  readerTopicsFor,
  topicsFor,
  type DiscoverySettings,
  type StatePayload,
} from '../homeassistant/discovery.js';
import type { Diagnostics, MqttState, MqttStatus } from '../../monitor/types.js';
import type { AcceptedPush } from '../../pipeline/events.js';
import type { MqttSettings, PushSink } from '../types.js';

export interface MqttPublisherOptions {
  readonly settings: MqttSettings;
  readonly logger: Logger;
  /** Add-on version, published as origin.sw_version. */
  readonly version: string;
  /** Default `smartmeter-<8 random hex>` (unique per start: no client-id collision loops). */
  readonly clientId?: string;
  /** Delay (ms) before republishing after Home Assistant's birth message; default random 0–1000 ms. */
  readonly birthDelay?: () => number;
  /** Reconnect interval; default 2000 ms. */
  readonly reconnectPeriodMs?: number;
  /** Reconnect interval while the broker rejects the credentials; default 30000 ms. */
  readonly authRetryPeriodMs?: number;
  /** TCP connect + CONNACK timeout; default 10000 ms. */
  readonly connectTimeoutMs?: number;
  /** The latest state is republished on (re)connect only when younger than this; default expire_after. */
  readonly maxStateAgeMs?: number;
  readonly clock?: () => Date;
}

export type MqttStatusListener = (status: MqttStatus) => void;

/** stop(): how long to wait for the broker's PUBACK of `offline` before disconnecting anyway. */
const STOP_ACK_TIMEOUT_MS = 1000;

/** CONNACK codes meaning "credentials rejected": v3.1.1 return codes 4/5, v5 reason codes 134/135. */
const AUTH_CODES = new Set([4, 5, 134, 135]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
]);

export class MqttPublisher implements PushSink {
  private readonly settings: MqttSettings;
  private readonly logger: Logger;
  private readonly version: string;
  private readonly clientId: string;
  private readonly birthDelay: () => number;
  private readonly reconnectPeriodMs: number;
  private readonly authRetryPeriodMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxStateAgeMs: number;
  private readonly clock: () => Date;
  private readonly listeners = new Set<MqttStatusListener>();

  private client: MqttClient | null = null;
  private current: MqttStatus;
  /** One channel per meter on this one connection; the first keeps the single-meter topics and ids. */
  private readonly channels: MeterChannel[] = [];
  private readonly primary: MeterChannel;
  private readonly host: ChannelHost;
  /** Config topics of replaced meters still to be cleared (empty retained payload). */
  private readonly pendingRemovals = new Set<string>();
  private birthTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(options: MqttPublisherOptions) {
    this.settings = options.settings;
    this.logger = options.logger;
    this.version = options.version;
    this.clientId = options.clientId ?? `smartmeter-${randomBytes(4).toString('hex')}`;
    this.birthDelay = options.birthDelay ?? (() => Math.floor(Math.random() * 1000));
    this.reconnectPeriodMs = options.reconnectPeriodMs ?? 2000;
    this.authRetryPeriodMs = options.authRetryPeriodMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.maxStateAgeMs = options.maxStateAgeMs ?? EXPIRE_AFTER_SECONDS * 1000;
    this.clock = options.clock ?? (() => new Date());
    this.current = { state: 'off', detail: 'MQTT output not started', since: this.clock(), discoveryAt: null };
    this.host = {
      logger: this.logger,
      version: this.version,
      discovery: this.settings.discovery,
      maxStateAgeMs: this.maxStateAgeMs,
      clock: () => this.clock(),
      connectedClient: () => this.connectedClient(),
      queueRemoval: (topic) => this.pendingRemovals.add(topic),
      flushRemovals: (client) => this.flushRemovals(client),
      discoveryPublished: () => {
        this.current = { ...this.current, discoveryAt: this.clock() };
        this.emit();
      },
    };
    this.primary = new MeterChannel(this.host, this.settings, this.logger);
    this.channels.push(this.primary);
  }

  /**
   * A further meter on the same connection: its topics below `<base>/<id>`, its device ids prefixed with `<id>_`,
   * its name on its devices; availability is the connection's. The publisher itself is the first meter's sink.
   */
  addMeter(meter: { readonly id: string; readonly name: string }): PushSink {
    const settings: DiscoverySettings = {
      baseTopic: `${this.settings.baseTopic}/${meter.id}`,
      discoveryPrefix: this.settings.discoveryPrefix,
      availabilityTopic: `${this.settings.baseTopic}/status`,
      deviceIdPrefix: `${meter.id}_`,
      meterName: meter.name,
    };
    const channel = new MeterChannel(this.host, settings, this.logger.child(meter.id));
    this.channels.push(channel);
    const client = this.connectedClient();
    if (client) channel.republish(client);
    return channel;
  }

  get status(): MqttStatus {
    return this.current;
  }

  /** Calls `listener` on every status change; returns the unsubscribe function. */
  onStatus(listener: MqttStatusListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `host:port` of the broker, for messages (never the credentials that a URL could carry). */
  get brokerAddress(): string {
    try {
      const url = new URL(this.settings.url);
      const port = url.port || (url.protocol === 'mqtts:' ? '8883' : '1883');
      return `${url.hostname}:${port}`;
    } catch {
      return 'the configured broker';
    }
  }

  private get source(): string {
    return this.settings.origin === 'supervisor' ? 'Supervisor MQTT service' : 'options';
  }

  start(): void {
    if (this.client) return;
    this.stopping = false;
    this.setStatus('connecting', `connecting to ${this.brokerAddress} (source: ${this.source})`);
    const availability = `${this.settings.baseTopic}/status`;
    const options: IClientOptions = {
      clientId: this.clientId,
      protocolVersion: 4,
      clean: true,
      keepalive: 30,
      reconnectPeriod: this.reconnectPeriodMs,
      connectTimeout: this.connectTimeoutMs,
      reconnectOnConnackError: true,
      queueQoSZero: false,
      resubscribe: false,
      will: { topic: availability, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    if (this.settings.username) options.username = this.settings.username;
    if (this.settings.password) options.password = this.settings.password;
    const client = connect(this.settings.url, options);
    this.client = client;

    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload.toString('utf8'), packet.retain));
    client.on('error', (err) => this.onError(client, err));
    client.on('close', () => {
      if (this.stopping || this.current.state !== 'connected') return;
      this.setStatus('connecting', `connection to ${this.brokerAddress} lost; reconnecting`);
    });
  }

  /** Publishes `offline` (retained) and disconnects cleanly. */
  async stop(): Promise<void> {
    const client = this.client;
    this.stopping = true;
    this.clearBirthTimer();
    if (client) {
      this.client = null;
      if (client.connected) {
        // Bounded: a broker that stopped answering must not hold the shutdown (its will says `offline` anyway).
        let timer: NodeJS.Timeout | undefined;
        const acknowledged = await Promise.race([
          client.publishAsync(`${this.settings.baseTopic}/status`, 'offline', { qos: 1, retain: true }).then(
            () => true,
            (err: unknown) => {
              this.logger.debug(`could not publish offline: ${errorText(err)}`);
              return false;
            },
          ),
          new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STOP_ACK_TIMEOUT_MS))),
        ]);
        clearTimeout(timer);
        await client.endAsync(!acknowledged);
      } else {
        await client.endAsync(true);
      }
    }
    this.setStatus('off', 'MQTT output stopped');
  }

  /** The first meter's push (see MeterChannel.publishPush). */
  publishPush(push: AcceptedPush): void {
    this.primary.publishPush(push);
  }

  /** The first meter's diagnostics (see MeterChannel.publishDiagnostics). */
  publishDiagnostics(d: Diagnostics): void {
    this.primary.publishDiagnostics(d);
  }

  /** Removes the first meter's device from Home Assistant (see MeterChannel.removeDiscovery). */
  async removeDiscovery(): Promise<void> {
    await this.primary.removeDiscovery();
  }

  // ---------------------------------------------------------------------------------------------------------

  private connectedClient(): MqttClient | null {
    return this.client && this.client.connected && !this.stopping ? this.client : null;
  }

  private onConnect(client: MqttClient): void {
    if (client !== this.client) return;
    client.options.reconnectPeriod = this.reconnectPeriodMs;
    this.setStatus('connected', `connected to ${this.brokerAddress} (source: ${this.source})`);
    const birth = `${this.settings.discoveryPrefix}/status`;
    const availability = `${this.settings.baseTopic}/status`;
    client.publish(availability, 'online', { qos: 1, retain: true }, (err) => {
      if (err) this.logger.warning(`could not publish availability: ${err.message}`);
    });
    // Also without discovery: manually configured MQTT sensors profit from the state republish after a restart.
    client.subscribe(birth, { qos: 0 }, (err) => {
      if (err) this.logger.warning(`could not subscribe to ${birth}: ${err.message}`);
    });
    this.republishAll(client);
  }

  private onMessage(topic: string, payload: string, retained: boolean): void {
    if (topic !== `${this.settings.discoveryPrefix}/status`) return;
    // A retained birth is replayed at every subscribe; we just published everything on connect anyway.
    if (payload !== 'online' || retained) return;
    if (this.birthTimer) return; // one republish for a burst of birth messages
    const delay = Math.max(0, this.birthDelay());
    this.logger.debug(`Home Assistant is online: republishing discovery and state in ${delay} ms`);
    this.birthTimer = setTimeout(() => {
      this.birthTimer = null;
      const client = this.connectedClient();
      if (client) this.republishAll(client);
    }, delay);
  }

  private onError(client: MqttClient, err: Error & { code?: string | number }): void {
    if (client !== this.client) return;
    const code = err.code;
    if (typeof code === 'number' && AUTH_CODES.has(code)) {
      client.options.reconnectPeriod = this.authRetryPeriodMs;
      this.setStatus(
        'auth_failed',
        `the broker rejected the user name or password (source: ${this.source}); retrying every ${Math.round(
          this.authRetryPeriodMs / 1000,
        )} s`,
      );
    } else if (
      (typeof code === 'string' && UNREACHABLE_CODES.has(code)) ||
      /connack timeout|timed? ?out/i.test(err.message)
    ) {
      this.setStatus('unreachable', `cannot reach broker at ${this.brokerAddress} (${code ?? err.message})`);
    } else if (typeof code === 'number') {
      this.setStatus('error', `the broker refused the connection: ${err.message} (code ${code})`);
    } else if (code === 'ECONNRESET' || code === 'EPIPE') {
      this.setStatus('connecting', `connection to ${this.brokerAddress} lost (${code}); reconnecting`);
    } else {
      this.setStatus('error', `MQTT error: ${err.message}`);
    }
  }

  /** Discovery (if on), then the latest state and diagnostics of every meter: after connect and after Home Assistant's birth. */
  private republishAll(client: MqttClient): void {
    this.flushRemovals(client);
    for (const channel of this.channels) {
      // one meter's failure must not keep the others from being republished
      try {
        channel.republish(client);
      } catch (err) {
        this.logger.error(`could not republish ${channel.label}: ${errorText(err)}`);
      }
    }
  }

  private flushRemovals(client: MqttClient): void {
    for (const topic of this.pendingRemovals) {
      client.publish(topic, '', { qos: 1, retain: true }, (err) => {
        if (err) this.logger.warning(`could not remove old discovery ${topic}: ${err.message}`);
      });
      this.logger.info(`removed the old Home Assistant device config ${topic}`);
    }
    this.pendingRemovals.clear();
  }

  private clearBirthTimer(): void {
    if (this.birthTimer) clearTimeout(this.birthTimer);
    this.birthTimer = null;
  }

  private setStatus(state: MqttState, detail: string): void {
    if (this.current.state === state && this.current.detail === detail) return;
    const discoveryAt = state === 'off' ? null : this.current.discoveryAt;
    this.current = { state, detail, since: this.clock(), discoveryAt };
    const line = `MQTT ${state}: ${detail}`;
    if (state === 'auth_failed' || state === 'error') this.logger.error(line);
    else if (state === 'unreachable') this.logger.warning(line);
    else this.logger.info(line);
    this.emit();
  }

  private emit(): void {
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (err) {
        this.logger.warning(`MQTT status listener failed: ${errorText(err)}`);
      }
    }
  }
}

/** What a meter's channel needs from the publisher that owns the connection. */
interface ChannelHost {
  readonly logger: Logger;
  readonly version: string;
  readonly discovery: boolean;
  readonly maxStateAgeMs: number;
  clock(): Date;
  connectedClient(): MqttClient | null;
  queueRemoval(topic: string): void;
  flushRemovals(client: MqttClient): void;
  discoveryPublished(): void;
}

interface MeterEntry {
  readonly meter: MeterIdentity;
  readonly id: string;
  /** OBIS codes seen for this meter (union over pushes: alternating push lists keep their entities). */
  readonly obis: Set<string>;
  /** Entity keys in the last published discovery (null: not published yet since this meter appeared). */
  publishedKeys: string | null;
}

/**
 * One configured meter on the shared connection: its reader device (status, problem), its meter device (readings,
 * diagnostics) and the latest of each, republished on every (re)connect and Home Assistant birth.
 */
class MeterChannel implements PushSink {
  private meter: MeterEntry | null = null;
  private latestPush: AcceptedPush | null = null;
  private latestState: StatePayload | null = null;
  private latestDiagnostics: Diagnostics | null = null;
  /** The reader state last sent on this connection (JSON), to publish only changes. */
  private publishedReaderState: string | null = null;

  constructor(
    private readonly host: ChannelHost,
    private readonly settings: DiscoverySettings,
    private readonly logger: Logger,
  ) {}

  /** For log lines: `meter <device id>` or the reader when no meter is identified yet. */
  get label(): string {
    return this.meter ? `meter ${this.meter.id}` : `reader ${this.settings.baseTopic}`;
  }

  /** Publishes the state of an accepted push; publishes discovery when the meter or its set of entities is new. */
  publishPush(push: AcceptedPush): void {
    const id = meterDeviceId(this.settings, push.meter);
    const previous = this.meter;
    const newMeter = previous === null || previous.id !== id;
    const entry: MeterEntry = newMeter ? { meter: push.meter, id, obis: new Set(), publishedKeys: null } : previous;
    if (newMeter && previous !== null) {
      this.logger.info(`meter changed from ${previous.id} to ${id}: replacing the Home Assistant device`);
      if (this.host.discovery) this.host.queueRemoval(topicsFor(this.settings, previous.id).config);
    }
    this.meter = entry;
    for (const obis of discoverableObis(push.readings)) entry.obis.add(obis);
    this.latestPush = push;
    this.latestState = buildState(push);

    const client = this.host.connectedClient();
    if (!client) return; // published on (re)connect
    this.host.flushRemovals(client);
    if (this.discoveryOutdated()) this.publishDiscovery(client);
    this.publishState(client);
    if (newMeter) this.publishLatestDiagnostics(client); // diagnostics so far had no meter topic
  }

  /**
   * Publishes the reader status on `<base>/reader` (retained, only when it changed) and the diagnostics on
   * `<base>/<id>/diagnostics` (the meter's diagnostic entities), or on `<base>/diagnostics` while no meter has been
   * identified yet.
   */
  publishDiagnostics(d: Diagnostics): void {
    this.latestDiagnostics = d;
    const client = this.host.connectedClient();
    if (!client) return;
    this.publishReaderState(client);
    this.publishLatestDiagnostics(client);
  }

  /**
   * Removes the meter's device from Home Assistant (empty retained discovery config), e.g. for a "remove device"
   * action. Resolves when the broker acknowledged it (or at once when not connected).
   */
  async removeDiscovery(): Promise<void> {
    if (!this.meter) return;
    const topic = topicsFor(this.settings, this.meter.id).config;
    this.meter.publishedKeys = null;
    const client = this.host.connectedClient();
    if (!client) {
      this.host.queueRemoval(topic);
      return;
    }
    await client.publishAsync(topic, '', { qos: 1, retain: true });
  }

  /** Everything of this meter again: reader discovery and status, meter discovery, a recent state, diagnostics. */
  republish(client: MqttClient): void {
    // the reader device first: its status exists before (and without) any decoded push
    if (this.host.discovery) this.publishReaderDiscovery(client);
    this.publishedReaderState = null;
    this.publishReaderState(client);
    if (this.meter) {
      if (this.host.discovery) this.publishDiscovery(client);
      const push = this.latestPush;
      if (push && this.host.clock().getTime() - push.receivedAt.getTime() <= this.host.maxStateAgeMs) this.publishState(client);
    }
    this.publishLatestDiagnostics(client);
  }

  private discoveryOutdated(): boolean {
    if (!this.host.discovery || !this.meter) return false;
    return this.meter.publishedKeys !== entityKeys(this.meter.obis).join(',');
  }

  private publishDiscovery(client: MqttClient): void {
    const entry = this.meter;
    if (!entry || !this.host.discovery) return;
    const message = buildDiscovery(entry.meter, entry.obis, this.settings, this.host.version);
    const keys = entityKeys(entry.obis).join(',');
    const first = entry.publishedKeys === null;
    const changed = entry.publishedKeys !== keys;
    entry.publishedKeys = keys;
    client.publish(message.topic, JSON.stringify(message.payload), { qos: 1, retain: true }, (err) => {
      if (err) this.logger.warning(`could not publish discovery: ${err.message}`);
    });
    this.host.discoveryPublished();
    if (first) this.logger.info(`published Home Assistant discovery for meter ${entry.id} on ${message.topic}`);
    else if (changed) this.logger.info(`new readings for meter ${entry.id}: discovery updated`);
    else this.logger.debug(`republished discovery for meter ${entry.id}`);
  }

  private publishReaderDiscovery(client: MqttClient): void {
    const message = buildReaderDiscovery(this.settings, this.host.version);
    client.publish(message.topic, JSON.stringify(message.payload), { qos: 1, retain: true }, (err) => {
      if (err) this.logger.warning(`could not publish the reader discovery: ${err.message}`);
    });
    this.logger.debug(`published Home Assistant discovery for the reader status on ${message.topic}`);
  }

  /** The reader status, retained: `starting` until the pipeline reported one. */
  private publishReaderState(client: MqttClient): void {
    const d = this.latestDiagnostics;
    const payload = JSON.stringify(
      buildReaderState(
        d ?? { status: 'starting', problem: STATUS_TEXT.starting, statusLayer: 'reader', statusCode: null, statusSince: this.host.clock() },
      ),
    );
    if (payload === this.publishedReaderState) return;
    this.publishedReaderState = payload;
    client.publish(readerTopicsFor(this.settings).state, payload, { qos: 1, retain: true }, (err) => {
      if (err) this.logger.warning(`could not publish the reader status: ${err.message}`);
    });
  }

  private publishState(client: MqttClient): void {
    if (!this.meter || !this.latestState) return;
    const topic = topicsFor(this.settings, this.meter.id).state;
    client.publish(topic, JSON.stringify(this.latestState), { qos: 0, retain: false });
  }

  private publishLatestDiagnostics(client: MqttClient): void {
    if (!this.latestDiagnostics) return;
    // Until a meter is identified (e.g. wrong key: nothing decrypts) diagnostics go to `<base>/diagnostics`.
    const topic = this.meter ? topicsFor(this.settings, this.meter.id).diagnostics : `${this.settings.baseTopic}/diagnostics`;
    client.publish(topic, JSON.stringify(buildDiagnostics(this.latestDiagnostics)), { qos: 0, retain: false });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
