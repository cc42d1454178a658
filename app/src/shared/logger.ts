import { format } from 'node:util';

/**
 * Logger: one line per event, `2026-11-24T13:00:00.000Z INFO  [mqtt] connected to …`.
 * Secrets (keys, passwords) are registered once and masked in every line, whatever code formats them.
 */

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
const LABEL: Record<LogLevel, string> = { debug: 'DEBUG', info: 'INFO ', warning: 'WARN ', error: 'ERROR' };

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** A logger whose lines carry `[component]`. */
  child(component: string): Logger;
}

export interface LogSink {
  write(line: string): void;
}

/** Masks secrets in text: the exact strings, and for hex keys also their lower/upper-case and spaced forms. */
export class Redactor {
  private readonly patterns: RegExp[] = [];

  add(secret: string | null | undefined): void {
    if (!secret || secret.length < 4) return;
    const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.patterns.push(new RegExp(escaped, 'gi'));
    const hex = secret.replace(/0x|[\s,:;-]/gi, '');
    if (/^[0-9a-fA-F]{16,}$/.test(hex) && hex !== secret) this.patterns.push(new RegExp(hex, 'gi'));
  }

  redact(text: string): string {
    let out = text;
    for (const p of this.patterns) out = out.replace(p, '***');
    return out;
  }
}

export function createLogger(options: {
  level: LogLevel;
  redactor?: Redactor;
  sink?: LogSink;
  component?: string;
  clock?: () => Date;
}): Logger {
  const sink = options.sink ?? { write: (line: string) => process.stdout.write(line) };
  const clock = options.clock ?? (() => new Date());
  const min = ORDER[options.level];
  const make = (component: string | undefined): Logger => {
    const emit = (level: LogLevel, message: string) => {
      if (ORDER[level] < min) return;
      const text = options.redactor ? options.redactor.redact(message) : message;
      sink.write(`${clock().toISOString()} ${LABEL[level]} ${component ? `[${component}] ` : ''}${text}\n`);
    };
    return {
      debug: (m) => emit('debug', m),
      info: (m) => emit('info', m),
      warning: (m) => emit('warning', m),
      error: (m) => emit('error', m),
      child: (c) => make(component ? `${component}/${c}` : c),
    };
  };
  return make(options.component);
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** The logger shape fastify accepts as `loggerInstance` (pino-compatible). */
export interface PinoCompatibleLogger {
  level: string;
  fatal(...args: unknown[]): void;
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  trace(...args: unknown[]): void;
  silent(...args: unknown[]): void;
  child(bindings?: object, options?: object): PinoCompatibleLogger;
}

const PINO_LEVEL: Record<LogLevel, string> = { debug: 'debug', info: 'info', warning: 'warn', error: 'error' };

/** One pino call (`(obj, msg, ...args)` or `(msg, ...args)`) as one line of text; errors by their message. */
function pinoText(args: readonly unknown[]): string {
  const [first, ...rest] = args;
  if (typeof first === 'string') return format(first, ...rest);
  if (first instanceof Error) return [rest.length ? format(...rest) : '', first.message].filter(Boolean).join(': ');
  const message = rest.length > 0 ? format(...rest) : '';
  if (first === null || typeof first !== 'object') return [message, first === undefined ? '' : String(first)].filter(Boolean).join(' ');
  const fields: string[] = [];
  for (const [k, v] of Object.entries(first as Record<string, unknown>)) {
    if (v instanceof Error) fields.push(`${k === 'err' ? 'error' : k}: ${v.message}`);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields.push(`${k}=${String(v)}`);
  }
  return [message, fields.length ? `(${fields.join(', ')})` : ''].filter(Boolean).join(' ');
}

/**
 * Fastify's logger writing through ours: the same line format, level (the `log_level` option) and secret
 * redaction as every other line. pino's trace/fatal map to debug/error.
 */
export function fastifyLogger(log: Logger, level: LogLevel): PinoCompatibleLogger {
  const adapter: PinoCompatibleLogger = {
    level: PINO_LEVEL[level],
    fatal: (...a) => log.error(pinoText(a)),
    error: (...a) => log.error(pinoText(a)),
    warn: (...a) => log.warning(pinoText(a)),
    info: (...a) => log.info(pinoText(a)),
    debug: (...a) => log.debug(pinoText(a)),
    trace: (...a) => log.debug(pinoText(a)),
    silent: () => {},
    child: () => adapter,
  };
  return adapter;
}
