/**
 * A real mosquitto broker for integration tests (style.md principle 13): loopback only, a free port chosen at
 * run time, a temporary config (anonymous, or a password file made with `mosquitto_passwd`), stoppable and
 * restartable on the SAME port. Plus a small mqtt.js subscriber that records what the broker really delivers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';

const MOSQUITTO = process.env.MOSQUITTO_BIN ?? '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = process.env.MOSQUITTO_PASSWD_BIN ?? 'mosquitto_passwd';

export interface BrokerOptions {
  /** When set, anonymous access is off and only this user/password is accepted. */
  readonly user?: { readonly username: string; readonly password: string };
  /**
   * Keep retained messages and persistent sessions across stop()/restart() (a database in the temp dir). Off by
   * default: a restart then loses every retained message, as a broker without persistence does.
   */
  readonly persistence?: boolean;
  /** Queue QoS 0 messages for disconnected persistent sessions (`queue_qos0_messages`). */
  readonly queueQos0Messages?: boolean;
}

export interface Broker {
  readonly host: string;
  readonly port: number;
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  /** Broker output so far (for failure messages). */
  log(): string;
  /** Stops the broker (SIGTERM, then SIGKILL); the port stays reserved for restart(). */
  stop(): Promise<void>;
  /** Starts the broker again on the same port with the same config. */
  restart(): Promise<void>;
  /** stop() and remove the temporary config directory: call from afterAll. */
  dispose(): Promise<void>;
  readonly running: boolean;
}

/** A free TCP port on 127.0.0.1: bind port 0, read the port, close. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(500, () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startBroker(options: BrokerOptions = {}): Promise<Broker> {
  const host = '127.0.0.1';
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'smr-mosquitto-'));
  const config = join(dir, 'mosquitto.conf');
  const lines = [`listener ${port} ${host}`, 'log_dest stderr', 'log_type error', 'log_type warning'];
  // Started as root, mosquitto drops to the `mosquitto` user, which cannot read our private temp dir.
  if (process.getuid?.() === 0) lines.push('user root');
  if (options.persistence) lines.push('persistence true', `persistence_location ${dir}/`, 'persistence_file broker.db');
  else lines.push('persistence false');
  if (options.queueQos0Messages) lines.push('queue_qos0_messages true');
  if (options.user) {
    const passwordFile = join(dir, 'passwd');
    const made = spawnSync(MOSQUITTO_PASSWD, ['-b', '-c', passwordFile, options.user.username, options.user.password], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`mosquitto_passwd failed: ${made.stderr || made.error?.message}`);
    lines.push('allow_anonymous false', `password_file ${passwordFile}`);
  } else {
    lines.push('allow_anonymous true');
  }
  writeFileSync(config, lines.join('\n') + '\n');

  let proc: ChildProcess | null = null;
  let output = '';

  const launch = async (): Promise<void> => {
    // Right after a stop the port can still be busy for a moment: retry the launch a few times.
    for (let attempt = 0; attempt < 5; attempt++) {
      const child = spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      proc = child;
      child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (await canConnect(host, port)) return;
        await sleep(25);
      }
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        throw new Error(`mosquitto did not accept connections on ${host}:${port}: ${output}`);
      }
      proc = null;
      await sleep(200);
    }
    throw new Error(`mosquitto did not start on ${host}:${port}: ${output}`);
  };

  const stop = async (): Promise<void> => {
    const child = proc;
    proc = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host,
    port,
    url: `mqtt://${host}:${port}`,
    log: () => output,
    get running() {
      return proc !== null;
    },
    stop,
    async restart() {
      await stop();
      await launch();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
  readonly at: number;
}

export interface Subscriber {
  readonly client: MqttClient;
  /** Everything received so far, in order. */
  readonly messages: ReceivedMessage[];
  /** Messages on one topic. */
  on(topic: string): ReceivedMessage[];
  /**
   * Resolves with the first matching message at index ≥ `fromIndex` (default 0: messages already received count),
   * waiting for new ones up to `timeoutMs` (default 5000).
   */
  waitFor(
    predicate: (m: ReceivedMessage) => boolean,
    options?: { timeoutMs?: number; fromIndex?: number; what?: string },
  ): Promise<ReceivedMessage>;
  /** waitFor a topic (optionally with a payload check). */
  waitForTopic(
    topic: string,
    options?: { timeoutMs?: number; fromIndex?: number; payload?: (p: string) => boolean },
  ): Promise<ReceivedMessage>;
  /** Clears the recorded messages. */
  clear(): void;
  close(): Promise<void>;
}

export interface SubscriberOptions {
  /** Fixed client id (for a persistent session); default random. */
  readonly clientId?: string;
  /** false: persistent session (messages published while it reconnects are queued by the broker). */
  readonly clean?: boolean;
}

/** An mqtt.js subscriber on `topics` (wildcards allowed, QoS 1) that records messages with their retain flag. */
export async function subscribe(url: string, topics: string[], options: SubscriberOptions = {}): Promise<Subscriber> {
  const client = connect(url, {
    clientId: options.clientId ?? `test-sub-${Math.random().toString(16).slice(2, 10)}`,
    clean: options.clean ?? true,
    reconnectPeriod: 100,
    connectTimeout: 5000,
  });
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<{ match: (m: ReceivedMessage) => boolean; resolve: (m: ReceivedMessage) => void }>();
  client.on('message', (topic, payload, packet) => {
    const m: ReceivedMessage = { topic, payload: payload.toString('utf8'), retain: packet.retain, at: Date.now() };
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.match(m)) {
        waiters.delete(w);
        w.resolve(m);
      }
    }
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  await client.subscribeAsync(topics, { qos: 1 });

  const waitFor: Subscriber['waitFor'] = (predicate, options = {}) => {
    const timeoutMs = options.timeoutMs ?? 5000;
    const found = messages.slice(options.fromIndex ?? 0).find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        match: predicate,
        resolve: (m: ReceivedMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        const seen = messages.map((m) => `${m.topic}${m.retain ? ' (retained)' : ''}: ${m.payload.slice(0, 80)}`);
        reject(
          new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'a message'}; got:\n${seen.join('\n')}`),
        );
      }, timeoutMs);
      waiters.add(waiter);
    });
  };

  return {
    client,
    messages,
    on: (topic) => messages.filter((m) => m.topic === topic),
    waitFor,
    waitForTopic: (topic, options = {}) =>
      waitFor((m) => m.topic === topic && (options.payload ? options.payload(m.payload) : true), {
        ...options,
        what: `a message on ${topic}`,
      }),
    clear: () => {
      messages.length = 0;
    },
    close: async () => {
      await client.endAsync(true);
    },
  };
}
