/**
 * The add-on runs for months and the Supervisor kills it 10 s after SIGTERM: the real service (`node app/dist/main.js`
 * as a child process) with a real mosquitto, a socat pty as its serial port and real sockets.
 * - Refused WebSocket upgrades (ingress guard 403, wrong path 404) are answered and closed at once: none stays in
 *   CLOSE-WAIT and the process holds no more file descriptors than before.
 * - SIGTERM ends the process within 2 s (the Supervisor's deadline, a functional bound, not a performance figure),
 *   also with a WebSocket client that never answers the close frame; the broker got a retained `offline`, the serial
 *   port was closed, and the process ended by itself (nothing left open, no forced exit).
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeNetzNoePush } from '../../src/transport/simulator/netzNoePush.js';
import { startBackend, type Backend } from '../support/backend.js';
import { startBroker, subscribe, type Broker, type Subscriber } from '../support/mosquitto.js';
import { sleep, writePaced } from '../support/pace.js';
import { startPtyPair, type PtyPair } from '../support/socat.js';

const KEY_HEX = '36C66639E48A8CA4D6BC8B282A793BBB';
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));
const SYSTEM_TITLE = Uint8Array.from(Buffer.from('4B464D6750001234', 'hex'));
const METER = '181220001234';

/** TCP states in /proc/net/tcp{,6} (include/net/tcp_states.h): 08 = CLOSE_WAIT. */
const TCP_CLOSE_WAIT = '08';

/** Sockets in CLOSE-WAIT whose local port is `port`, read from /proc/net/tcp and /proc/net/tcp6. */
function closeWaitOnPort(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 4) continue;
      if (fields[1]!.endsWith(`:${hexPort}`) && fields[3] === TCP_CLOSE_WAIT) count++;
    }
  }
  return count;
}

const openFds = (pid: number): number => readdirSync(`/proc/${pid}/fd`).length;

interface Refusal {
  readonly statusLine: string;
  readonly connectionHeader: string | null;
  /** The server ended the connection by itself (the client only reads). */
  readonly closedByServer: boolean;
}

/**
 * A WebSocket upgrade request on a raw socket; waits up to 2 s for the server to answer and to end the
 * connection, then closes its side (as a browser does).
 */
function refusedUpgrade(port: number, path: string, localAddress: string): Promise<Refusal> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    let received = '';
    let closedByServer = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const head = received.split('\r\n\r\n')[0] ?? '';
      const connection = /^connection:\s*(.*)$/im.exec(head)?.[1]?.trim() ?? null;
      resolve({ statusLine: head.split('\r\n')[0] ?? '', connectionHeader: connection, closedByServer });
    };
    socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', finish);
    const timer = setTimeout(finish, 2000);
  });
}

describe('lifecycle: refused WebSocket upgrades', () => {
  let dir: string;
  let backend: Backend;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-lifecycle-'));
    // Add-on mode (a Supervisor token) switches the ingress guard on; MQTT from the options keeps the Supervisor
    // API out of it. The server listens on 0.0.0.0, so 127.0.0.2 is a loopback peer the guard refuses.
    backend = await startBackend(['--simulator', '--simulator-interval', '1000', '--web-host', '0.0.0.0'], {
      SUPERVISOR_TOKEN: 'lifecycle-test-token',
      SUPERVISOR_API: 'http://127.0.0.1:9',
      OPTIONS_PATH: join(dir, 'missing-options.json'),
    });
  });

  afterAll(async () => {
    await backend?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('50 refused upgrades are answered, closed by the server, and leave no socket in CLOSE-WAIT', async () => {
    const pid = backend.process.pid!;
    await refusedUpgrade(backend.port, '/nothing-here', '127.0.0.1'); // warm-up: lazily opened files
    await sleep(200);
    const fdsBefore = openFds(pid);
    const results: Refusal[] = [];
    for (let i = 0; i < 25; i++) {
      // not the ingress proxy: the guard answers 403
      results.push(await refusedUpgrade(backend.port, '/ws', '127.0.0.2'));
      // the ingress proxy (loopback), but a path without a WebSocket endpoint: 404
      results.push(await refusedUpgrade(backend.port, `/no-socket-${i}`, '127.0.0.1'));
    }
    expect(results.filter((r) => r.statusLine.startsWith('HTTP/1.1 403'))).toHaveLength(25);
    expect(results.filter((r) => r.statusLine.startsWith('HTTP/1.1 404'))).toHaveLength(25);
    expect(results.every((r) => r.connectionHeader?.toLowerCase() === 'close')).toBe(true);
    expect(results.filter((r) => !r.closedByServer)).toEqual([]);
    await sleep(300);
    expect(closeWaitOnPort(backend.port)).toBe(0);
    expect(openFds(pid)).toBeLessThanOrEqual(fdsBefore);
    // the live socket still works for the ingress proxy
    const ws = new WebSocket(`ws://127.0.0.1:${backend.port}/ws`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (m: Buffer) => resolve(m.toString()));
      ws.once('error', reject);
    });
    expect(JSON.parse(first).type).toBe('snapshot');
    ws.terminate();
  });
});

describe('lifecycle: SIGTERM', () => {
  let dir: string;
  let broker: Broker;
  let pty: PtyPair;
  let backend: Backend;
  let sub: Subscriber;
  const rawSockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'smr-lifecycle-'));
    broker = await startBroker();
    pty = await startPtyPair(dir);
    sub = await subscribe(broker.url, ['smartmeter/#']);
    backend = await startBackend([
      '--serial-port', pty.reader,
      '--serial-settings', '2400_8E1',
      '--key', KEY_HEX,
      '--mqtt-host', '127.0.0.1',
      '--mqtt-port', String(broker.port),
    ]);
    await sub.waitForTopic('smartmeter/status', { payload: (p) => p === 'online', timeoutMs: 10_000 });
  });

  afterAll(async () => {
    for (const s of rawSockets) s.destroy();
    await backend?.stop();
    await sub?.close();
    await pty?.kill();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits by itself within 2 s with `offline` retained on the broker and the serial port closed', async () => {
    await writePaced(pty, encodeNetzNoePush({
      time: new Date(Date.UTC(2026, 0, 15, 11, 30, 0)),
      utcOffsetMinutes: 60,
      energyImportWh: 12_345_678,
      energyExportWh: 6_430_217,
      powerImportW: 1234,
      powerExportW: 0,
      voltage: [233.7, 231.1, 229.9],
      current: [3.2, 2.73, 2.92],
      powerFactor: 0.991,
      meterNumber: METER,
    }, KEY, SYSTEM_TITLE, 7));
    await sub.waitForTopic(`smartmeter/${METER}/state`, { timeoutMs: 10_000 });

    // A panel that reads its live socket, and a client that completed the handshake but never answers a close frame.
    const panel = new WebSocket(`ws://127.0.0.1:${backend.port}/ws`);
    await new Promise((resolve, reject) => panel.once('message', resolve).once('error', reject));
    const panelClosed = new Promise<number>((resolve) => panel.once('close', (code: number) => resolve(code)));
    const mute = connect({ host: '127.0.0.1', port: backend.port });
    rawSockets.push(mute);
    mute.on('error', () => {});
    const upgraded = new Promise<void>((resolve) => mute.once('data', () => resolve()));
    mute.write(
      `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    await upgraded;

    const from = sub.messages.length;
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      backend.process.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const sentAt = Date.now();
    backend.process.kill('SIGTERM');
    const exit = await exited;
    const tookMs = Date.now() - sentAt;

    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs, backend.output().slice(-2000)).toBeLessThan(2000);
    const out = backend.output();
    expect(out).toMatch(/SIGTERM received, stopping/);
    expect(out).toMatch(/\bstopped\b/);
    // ended by itself: nothing was left open that needed the forced exit
    expect(out).not.toMatch(/stopping took longer/);
    // the serial port was closed by the service, not just dropped at exit (serialSource.test.ts checks the fd)
    expect(out).toMatch(new RegExp(`${pty.reader.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} closed`));

    const offline = await sub.waitForTopic('smartmeter/status', { fromIndex: from, payload: (p) => p === 'offline' });
    expect(offline.payload).toBe('offline');
    const later = await subscribe(broker.url, ['smartmeter/status']);
    try {
      expect(await later.waitForTopic('smartmeter/status', { fromIndex: 0 })).toMatchObject({ payload: 'offline', retain: true });
    } finally {
      await later.close();
    }
    expect(await panelClosed).toBeGreaterThan(0);
  });
});
