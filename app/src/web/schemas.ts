/**
 * JSON schemas of the DTOs in contract.ts, used as fastify response schemas. fast-json-stringify serialises only
 * the properties listed here, so a field added to a DTO but not to its schema never leaves the process (and a key
 * that slipped into a DTO by mistake would be dropped). Keep both files in step; server.test.ts round-trips a full
 * snapshot to catch a property missing here.
 */

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const num = { type: 'number' } as const;
const strOrNull = { type: ['string', 'null'] } as const;
const numOrNull = { type: ['number', 'null'] } as const;
const nullable = (ref: string) => ({ anyOf: [{ $ref: `${ref}#` }, { type: 'null' }] }) as const;
/** Message parameters: numbers and short identifiers only. */
const params = { type: 'object', additionalProperties: { type: ['string', 'number'] } } as const;
const message = { type: 'object', required: ['code'], properties: { code: str, params } } as const;
const errorStage = { type: 'string', enum: ['framing', 'crypto', 'structure', 'layout'] } as const;
const errorProps = { stage: errorStage, code: str, params, detail: str, signature: str } as const;

const frameSummaryProps = {
  id: int,
  at: str,
  ok: { type: 'boolean' },
  framing: { type: ['string', 'null'], enum: ['mbus', 'hdlc', 'raw', 'dsmr', null] },
  stages: {
    type: 'array',
    items: {
      type: 'object',
      required: ['id', 'status'],
      properties: {
        id: { type: 'string', enum: ['bytes', 'frames', 'checksum', 'decryption', 'structure', 'readings'] },
        status: { type: 'string', enum: ['pass', 'fail', 'skip'] },
      },
    },
  },
  error: nullable('smr.error'),
  size: int,
} as const;

/** Registered with `app.addSchema` so the recursive tree and shared parts can use `$ref`. */
export const sharedSchemas = [
  {
    $id: 'smr.error',
    type: 'object',
    required: ['stage', 'code'],
    properties: errorProps,
  },
  {
    $id: 'smr.reading',
    type: 'object',
    required: ['obis', 'key', 'value', 'unit'],
    properties: { obis: str, key: strOrNull, value: { type: ['number', 'string'] }, unit: strOrNull, unscaled: { type: 'boolean' } },
  },
  {
    $id: 'smr.treeNode',
    type: 'object',
    required: ['type'],
    properties: {
      type: str,
      raw: str,
      num: num,
      obis: str,
      key: str,
      value: { type: ['number', 'string'] },
      unit: strOrNull,
      time: str,
      children: { type: 'array', items: { $ref: 'smr.treeNode#' } },
    },
  },
  {
    $id: 'smr.frameSummary',
    type: 'object',
    required: ['id', 'at', 'ok', 'framing', 'stages', 'error', 'size'],
    properties: frameSummaryProps,
  },
  {
    $id: 'smr.frame',
    type: 'object',
    required: ['id', 'at', 'ok', 'framing', 'stages', 'error', 'size', 'blocks', 'tree', 'security', 'readings', 'raw'],
    properties: {
      ...frameSummaryProps,
      blocks: {
        type: 'array',
        items: {
          type: 'object',
          required: ['title', 'hex', 'fields'],
          properties: {
            title: message,
            hex: str,
            failed: { type: 'boolean' },
            fields: {
              type: 'array',
              items: {
                type: 'object',
                required: ['start', 'length', 'label', 'kind'],
                properties: { start: int, length: int, label: str, value: str, params, kind: str },
              },
            },
          },
        },
      },
      tree: nullable('smr.treeNode'),
      security: {
        anyOf: [
          {
            type: 'object',
            required: ['systemTitle', 'manufacturer', 'securityControl', 'frameCounter', 'tag'],
            properties: {
              systemTitle: str,
              manufacturer: strOrNull,
              securityControl: int,
              frameCounter: int,
              tag: { type: 'string', enum: ['none', 'verified', 'not-verified'] },
            },
          },
          { type: 'null' },
        ],
      },
      readings: { type: 'array', items: { $ref: 'smr.reading#' } },
      raw: str,
    },
  },
  {
    $id: 'smr.live',
    type: 'object',
    required: ['meter', 'meterTime', 'receivedAt', 'readings', 'netPowerW'],
    properties: {
      meter: {
        anyOf: [
          {
            type: 'object',
            required: ['id', 'systemTitle', 'manufacturer'],
            properties: { id: strOrNull, systemTitle: strOrNull, manufacturer: strOrNull },
          },
          { type: 'null' },
        ],
      },
      meterTime: strOrNull,
      receivedAt: strOrNull,
      readings: { type: 'array', items: { $ref: 'smr.reading#' } },
      netPowerW: numOrNull,
    },
  },
  {
    $id: 'smr.health',
    type: 'object',
    required: ['startedAt', 'source', 'status', 'layers', 'counters', 'lastError', 'detected'],
    properties: {
      startedAt: str,
      source: str,
      status: {
        type: 'object',
        required: ['id', 'layer', 'code', 'since'],
        properties: { id: str, layer: str, code: strOrNull, since: str },
      },
      layers: {
        type: 'array',
        items: {
          type: 'object',
          required: ['id', 'status', 'detail', 'hintId'],
          properties: {
            id: { type: 'string', enum: ['serial', 'bytes', 'framing', 'decryption', 'mqtt', 'discovery'] },
            status: { type: 'string', enum: ['ok', 'warn', 'error', 'off'] },
            detail: message,
            hintId: strOrNull,
            technical: str,
          },
        },
      },
      counters: {
        type: 'object',
        required: ['bytes', 'frames', 'pushes', 'decoded', 'failed', 'errors'],
        properties: {
          bytes: int,
          frames: int,
          pushes: int,
          decoded: int,
          failed: int,
          errors: { type: 'object', additionalProperties: int },
        },
      },
      lastError: {
        anyOf: [
          {
            type: 'object',
            required: ['stage', 'code', 'at'],
            properties: { ...errorProps, at: str },
          },
          { type: 'null' },
        ],
      },
      detected: {
        type: 'object',
        required: ['framing', 'serialSettings', 'serialSettingsConfirmed', 'profile'],
        properties: { framing: strOrNull, serialSettings: strOrNull, serialSettingsConfirmed: { type: 'boolean' }, profile: strOrNull },
      },
    },
  },
] as const;

/** Response schema of GET api/snapshot (SnapshotDto). */
export const snapshotSchema = {
  type: 'object',
  required: ['version', 'live', 'health', 'frames', 'history'],
  properties: {
    version: str,
    live: { $ref: 'smr.live#' },
    health: { $ref: 'smr.health#' },
    frames: { type: 'array', items: { $ref: 'smr.frameSummary#' } },
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['t', 'importW', 'exportW'],
        properties: { t: num, importW: num, exportW: num },
      },
    },
  },
} as const;

/** Response schema of GET api/health (Docker HEALTHCHECK). */
export const healthCheckSchema = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok'] } },
} as const;

/** Response schema of GET api/watchdog (Supervisor watchdog, Docker HEALTHCHECK): 200 ok, 503 failing. */
export const watchdogSchema = {
  type: 'object',
  required: ['status', 'problems'],
  properties: {
    status: { type: 'string', enum: ['ok', 'failing'] },
    problems: {
      type: 'array',
      items: {
        type: 'object',
        required: ['code', 'detail'],
        properties: { code: { type: 'string' }, detail: { type: 'string' } },
      },
    },
  },
} as const;

/** Request body of POST api/test-key: the keys as typed (normalised by the server, never echoed). */
export const keyTestBodySchema = {
  type: 'object',
  required: ['key'],
  additionalProperties: false,
  properties: { key: { type: 'string', maxLength: 200 }, authKey: { type: 'string', maxLength: 200 } },
} as const;

/** Response of POST api/test-key (KeyTestDto). */
export const keyTestSchema = {
  type: 'object',
  required: ['tested', 'ok', 'error', 'values', 'meterId', 'meterTime'],
  properties: {
    tested: { type: 'boolean' },
    ok: { type: 'boolean' },
    error: { anyOf: [{ $ref: 'smr.error#' }, { type: 'null' }] },
    values: int,
    meterId: strOrNull,
    meterTime: strOrNull,
  },
} as const;

/** Response schema of GET api/meters. */
export const metersSchema = {
  type: 'object',
  required: ['meters'],
  properties: {
    meters: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'name', 'status', 'code', 'powerW', 'receivedAt'],
        properties: { id: str, name: str, status: str, code: strOrNull, powerW: numOrNull, receivedAt: strOrNull },
      },
    },
  },
} as const;

/** Answer for `?meter=<id>` naming no configured meter: a code the panel understands, and the known ids. */
export const unknownMeterSchema = {
  type: 'object',
  required: ['error', 'code', 'params', 'meters'],
  properties: {
    error: str,
    code: { type: 'string', enum: ['METER_UNKNOWN'] },
    params: { type: 'object', required: ['meter'], properties: { meter: str } },
    meters: { type: 'array', items: str },
  },
} as const;


/** Response schema of GET api/frames/:id (FrameRecordDto). */
export const frameSchema = { $ref: 'smr.frame#' } as const;

/** A 4xx answer: a code (contract.ts API_ERROR_CODES) and its params, never the offending value or prose. */
export const apiErrorSchema = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: str, code: str, params },
} as const;

const energyOrNull = { type: ['number', 'null'] } as const;

/** Query of GET api/history: how many hours, days and power minutes (defaults in routes/history.ts). */
export const historyQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    hours: { type: 'integer', minimum: 1, maximum: 62 * 24 },
    days: { type: 'integer', minimum: 1, maximum: 62 },
    minutes: { type: 'integer', minimum: 1, maximum: 48 * 60 },
    meter: { type: 'string', maxLength: 64 },
  },
} as const;

/** Response schema of GET api/history (HistoryDto). */
export const historySchema = {
  type: 'object',
  required: ['storage', 'problem', 'skippedRecords', 'timeZone', 'now', 'hours', 'days', 'powerStart', 'powerStepMs', 'powerW'],
  properties: {
    storage: { type: 'string', enum: ['file', 'memory', 'failed'] },
    problem: { type: ['string', 'null'], enum: ['HISTORY_READ_FAILED', 'HISTORY_WRITE_FAILED', null] },
    skippedRecords: int,
    timeZone: str,
    now: num,
    hours: {
      type: 'array',
      items: { type: 'object', required: ['t', 'importWh', 'exportWh'], properties: { t: num, importWh: energyOrNull, exportWh: energyOrNull } },
    },
    days: {
      type: 'array',
      items: { type: 'object', required: ['date', 'importWh', 'exportWh'], properties: { date: str, importWh: energyOrNull, exportWh: energyOrNull } },
    },
    powerStart: num,
    powerStepMs: int,
    powerW: { type: 'array', items: { type: ['number', 'null'] } },
  },
} as const;
