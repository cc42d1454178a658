/** AMIS diagnostics in the health layers and the reader status: each names its cause. */
import { meterIdentity } from '../../src/decoder/manufacturers.js';
import { NO_DERIVED_VALUES } from '../../src/readings/normalise.js';
import { describe, expect, it } from 'vitest';
import type { AmisLinkView } from '../../src/framing/mbus/AmisLink.js';
import { computeLayers, HINT_IDS, READER_STATUSES, readerStatusOf, STATUS_TEXT, type HealthInputs } from '../../src/monitor/health.js';
import { profileOf } from '../../src/monitor/profile.js';
import { amisLinkView } from '../support/unitValues.js';
import { ERROR_CODES } from '../../src/shared/errors.js';

const NOW = 10_000_000;
const link = (v: Partial<AmisLinkView>): AmisLinkView => amisLinkView('search', NOW - 1000, v);
/** A receive-only head: a search frame once a minute, the last one 40 s ago, nothing decoded. */
const silentHead: HealthInputs = {
  now: NOW,
  sourceKind: 'serial',
  source: { state: 'open', detail: '/dev/ttyUSB0 open at 9600 8E1', hintId: null, since: new Date(NOW - 200_000), settings: '9600 8E1' },
  sourceDescription: '/dev/ttyUSB0',
  openedAt: NOW - 200_000,
  bytes: 15,
  lastByteAt: NOW - 40_000,
  frames: 0,
  lastFrameAt: null,
  bytesSinceFrame: 15,
  checksumErrorsSinceFrame: 0,
  decoded: 0,
  lastPushAt: null,
  lastFailureCode: null,
  lastResultOk: null,
  consecutiveWrongKey: 0,
  wrongKeyThreshold: 3,
  lastRejectedAt: null,
  mqtt: { state: 'connected', detail: 'connected', since: new Date(NOW - 200_000), discoveryAt: null },
  discoveryEnabled: true,
  amisLink: link({ searchFrames: 3, searchesWithoutData: 2, searchUnanswered: true, acknowledgements: 3, lastSearchAt: NOW - 40_000 }),
};
const status = (h: HealthInputs) => readerStatusOf({ ...h, consecutiveFailures: 0, unsupportedSinceFrame: 0 });

describe('AMIS diagnostics', () => {
  it('only search frames, no data: head_not_transmitting (not "no data"), framing layer names the head', () => {
    expect(status(silentHead)).toMatchObject({ status: 'head_not_transmitting', layer: 'framing', code: 'AMIS_HEAD_SILENT' });
    expect(status(silentHead).problem).toMatch(/IR head must transmit/);
    expect(computeLayers(silentHead).find((l) => l.id === 'framing')).toMatchObject({ status: 'error', hintId: 'amis_head_silent' });
    // a search frame just answered is no evidence yet (data follows within a second); 5 s without data is
    const justAnswered = { ...silentHead, lastByteAt: NOW - 500, amisLink: link({ searchFrames: 1, acknowledgements: 1, lastSearchAt: NOW - 500 }) };
    expect(status(justAnswered).status).not.toBe('head_not_transmitting');
    const unanswered = { ...justAnswered, amisLink: link({ searchFrames: 1, acknowledgements: 1, lastSearchAt: NOW - 500, searchUnanswered: true }) };
    expect(status(unanswered).status).toBe('head_not_transmitting');
  });

  it('AMIS frames with parity errors: serial_settings with code AMIS_PARITY naming 9600 8E1', () => {
    const parity = { ...silentHead, bytes: 300, bytesSinceFrame: 300, lastByteAt: NOW - 500, amisLink: link({ state: 'listening', paritySignatures: 4 }) };
    expect(status(parity)).toMatchObject({ status: 'serial_settings', code: 'AMIS_PARITY' });
    expect(status(parity).problem).toMatch(/9600 8E1/);
    expect(computeLayers(parity).find((l) => l.id === 'framing')).toMatchObject({ status: 'error', hintId: 'amis_parity' });
  });

  it('an echoing head while data flows: ok status, framing layer warns with amis_echo', () => {
    const synced = {
      ...silentHead,
      bytes: 5000,
      lastByteAt: NOW - 300,
      frames: 40,
      lastFrameAt: NOW - 300,
      bytesSinceFrame: 0,
      decoded: 40,
      lastPushAt: NOW - 300,
      lastResultOk: true,
      amisLink: link({ state: 'synced', searchFrames: 1, dataFrames: 40, acknowledgements: 41, echoes: 41, lastDataAt: NOW - 300 }),
    } satisfies HealthInputs;
    expect(status(synced).status).toBe('ok');
    expect(computeLayers(synced).find((l) => l.id === 'framing')).toMatchObject({ status: 'warn', hintId: 'amis_echo' });
  });

  it('a wrong key is the existing wrong_key status (2F 2F check failed → CRYPTO_WRONG_KEY)', () => {
    const wrongKey = {
      ...silentHead,
      bytes: 5000,
      lastByteAt: NOW - 300,
      frames: 10,
      lastFrameAt: NOW - 300,
      bytesSinceFrame: 0,
      lastResultOk: false,
      lastFailureCode: 'CRYPTO_WRONG_KEY',
      consecutiveWrongKey: 10,
      amisLink: link({ state: 'synced', searchFrames: 1, dataFrames: 10, acknowledgements: 11 }),
    } satisfies HealthInputs;
    expect(readerStatusOf({ ...wrongKey, consecutiveFailures: 10, unsupportedSinceFrame: 0 })).toMatchObject({ status: 'wrong_key', code: 'CRYPTO_WRONG_KEY' });
  });

  it('every new hint, status and code has its English text; the status is appended, never inserted', () => {
    // the hint texts themselves are the panel's (en.ts/de.ts); test/web/i18nCoverage.test.ts checks both languages
    for (const id of ['amis_head_silent', 'amis_echo', 'amis_parity']) expect(HINT_IDS).toContain(id);
    expect(READER_STATUSES.at(-1)).toBe('head_not_transmitting');
    expect(READER_STATUSES.indexOf('broker')).toBe(15);
    expect(STATUS_TEXT.head_not_transmitting).toMatch(/search frames/);
    for (const code of ['AMIS_HEAD_SILENT', 'AMIS_ECHO', 'AMIS_PARITY', 'MBUS_RECORD_INVALID'] as const) expect(ERROR_CODES[code].hint).toBeTruthy();
  });

  it('the profile names Netz Oberösterreich (AMIS)', () => {
    const push = { meter: meterIdentity(null, '000000002D4C010E', 'SAM'), time: null, readings: {}, derived: NO_DERIVED_VALUES, layout: 'mbus-records', reason: '' };
    expect(profileOf(push, 'mbus', 1)).toBe('Netz Oberösterreich (AMIS): Siemens via M-Bus');
  });
});
