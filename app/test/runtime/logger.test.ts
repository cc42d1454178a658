/** One log format for the whole add-on: fastify writes through our Logger (level, format, redaction). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, fastifyLogger, Redactor, type LogLevel } from '../../src/shared/logger.js';
import { buildServer } from '../../src/web/server.js';
import { FakeLiveSource } from '../support/fakeLiveSource.js';

const uiDir = mkdtempSync(join(tmpdir(), 'smr-logger-ui-'));
writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>panel</title>');
afterAll(() => rmSync(uiDir, { recursive: true, force: true }));

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO |WARN |ERROR) \[web\] /;

function capture(level: LogLevel, redactor?: Redactor) {
  const lines: string[] = [];
  const log = createLogger({ level, sink: { write: (l) => lines.push(l.trimEnd()) }, ...(redactor ? { redactor } : {}) });
  return { lines, logger: fastifyLogger(log.child('web'), level) };
}

describe('fastify logs through our logger', () => {
  it('request lines are debug, in our format; nothing at info for a request', async () => {
    const debug = capture('debug');
    const app = buildServer({ source: new FakeLiveSource(), addonMode: false, uiDir, version: 't', logger: debug.logger });
    await app.inject({ url: '/api/health' });
    await app.close();
    const request = debug.lines.filter((l) => l.includes('/api/health'));
    expect(request).toHaveLength(1);
    expect(request[0]).toMatch(LINE);
    expect(request[0]).toMatch(/DEBUG \[web\] GET \/api\/health 200 \d+ ms$/);

    const info = capture('info');
    const quiet = buildServer({ source: new FakeLiveSource(), addonMode: false, uiDir, version: 't', logger: info.logger });
    await quiet.inject({ url: '/api/health' });
    await quiet.close();
    expect(info.lines).toEqual([]);
  });

  it('maps pino calls (object + message, errors, printf args) and pino levels, with redaction', () => {
    const redactor = new Redactor();
    redactor.add('36C66639E48A8CA4D6BC8B282A793BBB');
    const { lines, logger } = capture('debug', redactor);
    expect(logger.level).toBe('debug');
    logger.info('Server listening at %s', 'http://127.0.0.1:8099');
    logger.error({ err: new Error('boom 36c66639e48a8ca4d6bc8b282a793bbb') }, 'request failed');
    logger.child({ reqId: 'req-1' }).warn({ statusCode: 503 }, 'closing');
    logger.trace('fine detail');
    logger.fatal(new Error('fatal thing'));
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual([
      'INFO  [web] Server listening at http://127.0.0.1:8099',
      'ERROR [web] request failed (error: boom ***)',
      'WARN  [web] closing (statusCode=503)',
      'DEBUG [web] fine detail',
      'ERROR [web] fatal thing',
    ]);
    for (const l of lines) expect(l).toMatch(LINE);
    expect(fastifyLogger(createLogger({ level: 'warning' }), 'warning').level).toBe('warn');
  });
});
