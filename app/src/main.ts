#!/usr/bin/env node
/**
 * Composition root (style.md principle 7): load the configuration, build every part, wire them, start them,
 * and stop them in reverse order on SIGTERM/SIGINT. Nothing else in the backend constructs long-lived parts.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { loadConfig, SIMULATOR_KEY_HEX, UsageError, USAGE, type MeterConfig, type RuntimeConfig } from './config/load.js';
import { fetchMqttService } from './config/supervisor.js';
import { registerKey } from './readings/registers.js';
import { MqttPublisher } from './outputs/mqtt/MqttPublisher.js';
import type { MqttSettings } from './outputs/types.js';
import { Watchdog, watchdogTimingsFromEnv } from './monitor/liveness.js';
import { MeterMonitor } from './monitor/MeterMonitor.js';
import { Pipeline } from './pipeline/Pipeline.js';
import { StateStore } from './monitor/StateStore.js';
import { fromHex } from './shared/hex.js';
import { HistoryStore } from './store/HistoryStore.js';
import { createLogger, fastifyLogger, Redactor, type Logger } from './shared/logger.js';
import { ReplaySource } from './transport/replay/ReplaySource.js';
import { SerialSource } from './transport/serial/SerialSource.js';
import { AmisMeterSimulator } from './transport/simulator/AmisMeterSimulator.js';
import { MeterSimulator } from './transport/simulator/MeterSimulator.js';
import { TcpSource } from './transport/tcp/TcpSource.js';
import { BaseSource, type ByteSource } from './transport/types.js';
import { buildServer, listen } from './web/server.js';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const UI_DIR = fileURLToPath(new URL('../../ui/dist/', import.meta.url));

/** Upper bound for a clean stop after SIGTERM/SIGINT (the Supervisor waits 10 s before it kills the add-on). */
const STOP_DEADLINE_MS = 1500;

/** Problems with these options leave nothing sensible to run; the others fall back to their defaults. */
const FATAL_OPTIONS = new Set(['key', 'auth_key', 'serial_settings', 'framing', 'tcp_address', 'serial_port', 'mqtt_base_topic', 'discovery_prefix', 'mqtt_port']);
/** Every problem in the meters list is fatal too: a meter left out silently would look like a dead meter. */
const isFatal = (option: string): boolean => FATAL_OPTIONS.has(option) || option.startsWith('meters');

/** A source that never delivers: the add-on runs, and the panel says what is missing. */
class NoSource extends BaseSource {
  readonly description = 'none configured';
  start(): void {
    this.setStatus('error', 'no serial port or TCP address configured: set serial_port in the options', 'no_port');
  }
  async stop(): Promise<void> {}
}

function createSource(meter: MeterConfig, config: RuntimeConfig, log: Logger): ByteSource {
  const s = meter.source;
  switch (s.kind) {
    case 'serial': {
      // AMIS (Netz OÖ) talks 9600 8E1 only: with framing amis, "auto" means exactly that
      const settings = meter.framing === 'amis' && meter.serialSettings === 'auto' ? '9600_8E1' : meter.serialSettings;
      return new SerialSource({ path: s.path, settings, watchdogMs: config.options.watchdogSeconds * 1000 }, log.child('serial'));
    }
    case 'tcp':
      return new TcpSource(s.host, s.port, config.options.watchdogSeconds * 1000, log.child('tcp'));
    case 'replay':
      return new ReplaySource(s.file, s.speed, s.loop, log.child('replay'));
    case 'simulator':
      if (s.meter === 'amis') return new AmisMeterSimulator(fromHex(SIMULATOR_KEY_HEX), { searchEveryMs: s.intervalMs }, log.child('simulator'));
      return new MeterSimulator(fromHex(SIMULATOR_KEY_HEX), s.intervalMs, log.child('simulator'));
    case 'none':
      return new NoSource();
  }
}

function describeSource(meter: MeterConfig): string {
  const s = meter.source;
  if (s.kind === 'serial') return `serial port ${s.path}`;
  if (s.kind === 'tcp') return `tcp://${s.host}:${s.port}`;
  return s.kind;
}

/** MQTT settings: manual options win; under the Supervisor its MQTT service; otherwise MQTT is off. */
async function resolveMqtt(config: RuntimeConfig, redactor: Redactor, log: Logger): Promise<MqttSettings | { off: string }> {
  const o = config.options;
  const common = { baseTopic: o.baseTopic, discovery: o.discovery, discoveryPrefix: o.discoveryPrefix };
  if (o.mqtt.host) {
    const port = o.mqtt.port ?? (o.mqtt.tls ? 8883 : 1883);
    return { url: `${o.mqtt.tls ? 'mqtts' : 'mqtt'}://${o.mqtt.host}:${port}`, username: o.mqtt.username, password: o.mqtt.password, origin: 'options', ...common };
  }
  if (!config.supervisor) {
    const off = 'MQTT is off: set mqtt_host (and mqtt_port, mqtt_username, mqtt_password) to publish to a broker';
    log.info(off);
    return { off };
  }
  const service = await fetchMqttService(config.supervisor.api, config.supervisor.token);
  if (!service.ok) {
    const off = `no MQTT broker: ${service.reason}. Install and start the Mosquitto broker add-on, or set mqtt_host in the options`;
    log.warning(off);
    return { off };
  }
  redactor.add(service.service.password);
  const s = service.service;
  log.info(`using the MQTT broker from the Supervisor: ${s.host}:${s.port}`);
  return { url: `${s.ssl ? 'mqtts' : 'mqtt'}://${s.host}:${s.port}`, username: s.username, password: s.password, origin: 'supervisor', ...common };
}

async function main(): Promise<void> {
  let config: RuntimeConfig;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message ? `error: ${e.message}\n` : ''}${USAGE}\n`);
      process.exit(e.message ? 2 : 0);
    }
    throw e;
  }
  const redactor = new Redactor();
  for (const secret of config.secrets) redactor.add(secret);
  const log = createLogger({ level: config.options.logLevel, redactor });
  log.info(`Smart Meter Reader ${VERSION} starting (options from ${config.origin}${config.addonMode ? ', add-on mode' : ''})`);

  const fatal = config.problems.filter((p) => isFatal(p.option));
  for (const p of config.problems) log[fatal.includes(p) ? 'error' : 'warning'](`option ${p.message}`);
  if (fatal.length > 0) {
    log.error(`cannot start: fix ${fatal.map((p) => p.option).join(', ')} in the add-on options (Configuration tab) and restart`);
    process.exitCode = 1;
    return;
  }
  if (config.meters[0]!.origin !== 'options' && (config.options.key || config.options.authKey)) {
    log.warning('the top-level key is not used: there is no top-level serial_port or tcp_address, and each meters entry has its own key');
  }
  const mqtt = await resolveMqtt(config, redactor, log.child('mqtt'));
  let publisher: MqttPublisher | null = null;
  if (!('off' in mqtt)) publisher = new MqttPublisher({ settings: mqtt, logger: log.child('mqtt'), version: VERSION });

  // One source, pipeline, monitor and history per meter, all on the one event loop: a meter's failure (port missing,
  // unplugged, wrong key, an exception in its pipeline) stays in its own source and pipeline.
  const several = config.meters.length > 1;
  const meters = config.meters.map((meter, index) => {
    // with several meters every line names its meter: `[heat_pump/framing] …`
    const meterLog = several ? log.child(meter.id) : log;
    if (several) log.info(`meter ${meter.id} ("${meter.name}", ${meter.origin}): ${describeSource(meter)}`);
    if (!meter.key) meterLog.warning('no key configured: encrypted pushes cannot be read until you enter the key from your grid operator');
    const source = createSource(meter, config, meterLog);
    const pipeline = new Pipeline(
      source,
      { key: meter.key, authKey: meter.authKey, framing: meter.framing, maxPowerW: meter.maxPowerW },
      meterLog, // lines name their layer: [framing], [crypto], [status] …
    );
    const state = new StateStore({
      version: VERSION,
      sourceKind: meter.source.kind,
      sourceDescription: source.description,
      discoveryEnabled: config.options.discovery,
      keyOf: registerKey, // the readings layer's register keys (the same keys the MQTT state uses)
    });
    const monitor = new MeterMonitor(state, meterLog);
    if ('off' in mqtt) {
      monitor.mqttStatusChanged({ state: 'off', detail: mqtt.off, since: new Date(), discoveryAt: null });
    } else if (publisher) {
      publisher.onStatus((s) => monitor.mqttStatusChanged(s));
      // the first meter keeps the single-meter topics and unique ids; the others get their own below <base>/<id>
      const output = index === 0 ? publisher : publisher.addMeter({ id: meter.id, name: meter.name });
      // MQTT first: Home Assistant should not wait for the history, the panel's display objects or the log line
      pipeline.subscribe({ accepted: (push) => output.publishPush(push) });
      monitor.onDiagnostics((d) => output.publishDiagnostics(d));
    }
    // after MQTT: the history is fed by the same accepted pushes, behind the same judge. The first meter keeps its
    // file in the data directory itself (as with one meter); each further meter gets `meters/<id>/` below it.
    const historyDir = config.dataDir === null ? null : index === 0 ? config.dataDir : join(config.dataDir, 'meters', meter.id);
    const history = new HistoryStore({ dir: historyDir, log: meterLog.child('history'), maxPowerW: meter.maxPowerW });
    pipeline.subscribe(history);
    // last: the monitor observes every event (status, problem log, the panel's live state, the diagnostics above)
    pipeline.subscribe(monitor);
    return { meter, state, pipeline, history };
  });

  const liveSources = meters.map(({ meter, state, history }) => ({ id: meter.id, name: meter.name, source: state, history }));
  // Liveness for the Supervisor's watchdog and the Docker HEALTHCHECK (GET api/watchdog): event loop + every pipeline.
  const watchdog = new Watchdog(watchdogTimingsFromEnv(process.env));
  for (const { pipeline } of meters) watchdog.watch(pipeline);

  const web = config.web.enabled ? buildServer({ meters: liveSources, addonMode: config.addonMode, uiDir: UI_DIR, version: VERSION, logger: fastifyLogger(log.child('web'), config.options.logLevel), watchdog }) : null;

  // start in dependency order; stop in reverse
  publisher?.start();
  for (const { meter, pipeline } of meters) {
    try {
      pipeline.start();
    } catch (e) {
      log.error(`meter ${meter.id}: could not start reading, the other meters go on: ${(e as Error).stack ?? String(e)}`);
    }
  }
  watchdog.start();
  if (web) {
    try {
      await listen(web, config.web.port, config.web.host); // fastify logs "[web] Server listening at …"
    } catch (e) {
      log.error(`cannot serve the panel on port ${config.web.port}: ${(e as Error).message}`);
    }
  }

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, stopping`);
    // The Supervisor kills the add-on 10 s after SIGTERM; everything below normally takes well under a second.
    const force = setTimeout(() => {
      log.error(`stopping took longer than ${STOP_DEADLINE_MS} ms, exiting; still open: ${process.getActiveResourcesInfo().join(', ')}`);
      process.exit(0);
    }, STOP_DEADLINE_MS);
    force.unref();
    watchdog.stop();
    // In parallel: the panel's sockets, the serial port (or TCP bridge), and MQTT (`offline`, retained, then disconnect).
    await Promise.all([web?.close().catch(() => {}), ...meters.map(({ pipeline }) => pipeline.stop().catch(() => {})), publisher?.stop().catch(() => {})]);
    for (const { history } of meters) history.close(); // the open minute and the last sample, then fsync
    log.info('stopped');
    // No process.exit(): every socket, timer and listener is closed now, so the event loop ends by itself. If
    // something was left open, the forced exit above names it.
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('uncaughtException', (e) => log.error(`unexpected error, continuing: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) => log.error(`unexpected error, continuing: ${(e as Error)?.stack ?? String(e)}`));
}

void main();
