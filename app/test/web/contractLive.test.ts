/**
 * The real service's answers and live messages match the DTO schemas (contract/dto.ts): the built backend with
 * the Netz NÖ simulator, once with the right key and once with a wrong one (failed pushes carry an ErrorDto).
 * The HTTP answers are validated by the server itself (a mismatch answers 500); the WebSocket messages are
 * checked here, so a view model that drifts from its DTO fails a test instead of the panel.
 */
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameRecordDto, HistoryDto, LiveMessage, MetersDto, SnapshotDto } from '../../src/contract/dto.js';
import { startBackend, type Backend } from '../support/backend.js';

const WRONG_KEY = '00112233445566778899AABBCCDDEEFF';
let backend: Backend | undefined;
afterEach(async () => {
  await backend?.stop();
  backend = undefined;
});

/** The first error of a value that does not match, for a readable failure. */
function mismatch(schema: TSchema, value: unknown): string | null {
  const validator = Compile(schema);
  if (validator.Check(value)) return null;
  const first = validator.Errors(value)[0];
  return `${first?.instancePath} ${first?.message}`;
}

async function collectLive(port: number, count: number): Promise<unknown[]> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`);
  const messages: unknown[] = [];
  await new Promise<void>((resolve, reject) => {
    ws.on('message', (data) => {
      messages.push(JSON.parse(String(data)));
      if (messages.length >= count) resolve();
    });
    ws.once('error', reject);
  });
  ws.close();
  return messages;
}

describe('the real service speaks its contract', () => {
  it.each([
    ['the right key', [], 'push'],
    ['a wrong key', ['--key', WRONG_KEY], 'frame'],
  ])('with %s: every live message and API answer matches its DTO schema', async (_name, extra, kind) => {
    backend = await startBackend(['--simulator', '--simulator-interval', '200', ...extra]);
    const base = `http://127.0.0.1:${backend.port}`;
    const messages = await collectLive(backend.port, 6);
    // a decoded push is a `push` message, a failed one a `frame` message (with its ErrorDto)
    expect(messages.map((m) => (m as { type: string }).type)).toContain(kind);
    for (const message of messages) expect(mismatch(LiveMessage, message)).toBeNull();

    const snapshot = await fetch(`${base}/api/snapshot`);
    expect(snapshot.status).toBe(200);
    const snap = (await snapshot.json()) as SnapshotDto;
    expect(mismatch(SnapshotDto, snap)).toBeNull();
    expect(snap.frames.length).toBeGreaterThan(0);
    expect(snap.frames.some((f) => f.ok)).toBe(extra.length === 0);
    const frame = await fetch(`${base}/api/frames/${snap.frames[0]!.id}`);
    expect(frame.status).toBe(200);
    expect(mismatch(FrameRecordDto, await frame.json())).toBeNull();
    for (const [path, schema] of [
      ['meters', MetersDto],
      ['history', HistoryDto],
    ] as const) {
      const res = await fetch(`${base}/api/${path}`);
      expect(res.status, path).toBe(200);
      expect(mismatch(schema, await res.json()), path).toBeNull();
    }
    expect(backend.output()).not.toMatch(/SERVER_ERROR/);
  });
});
