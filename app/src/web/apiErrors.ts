/**
 * The one shape of every 4xx and 5xx answer (contract/dto.ts ApiErrorDto: `{ error, code, params? }`) and the one
 * error handler of the server: request validation failures, fastify's own 4xx (bad JSON, wrong content type, body
 * too large), a response that fails its schema and any thrown error all answer with a code the panel translates.
 * Never the offending value, never prose; the detail of a 5xx goes to the log only.
 */
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrorDto, type ApiErrorCode, type ParamsDto } from '../contract/dto.js';

/** Response schemas of the error answers of every route: the one error shape. */
export const ERROR_RESPONSES = { '4xx': ApiErrorDto, '5xx': ApiErrorDto } as const;

/** The body of an error answer with this HTTP status, code and parameters. */
export function apiError(status: number, code: ApiErrorCode, params?: ParamsDto): ApiErrorDto {
  const error = STATUS_CODES[status] ?? 'Error';
  return params ? { error, code, params } : { error, code };
}

/** Answers with the one error shape. */
export function sendApiError(reply: FastifyReply, status: number, code: ApiErrorCode, params?: ParamsDto): FastifyReply {
  return reply.code(status).send(apiError(status, code, params));
}

/** What the request log line of a failed request says beyond method, path and status (see server.ts). */
export interface FailureNote {
  readonly code: string;
  readonly params?: ParamsDto | undefined;
  /** The error behind a 5xx answer (its message, for the log only). */
  readonly cause?: string;
}

const failures = new WeakMap<FastifyRequest, FailureNote>();

/** Remembers the code of an error answer for the request's one log line. */
export function noteFailure(req: FastifyRequest, note: FailureNote): void {
  const known = failures.get(req);
  // the error handler's note (with the cause) wins over the code read back from the body it sends
  failures.set(req, known?.cause ? known : note);
}

/** The code (and cause) of a failed request, once it was answered. */
export function failureOf(req: FastifyRequest): FailureNote | undefined {
  return failures.get(req);
}

/** The name of the request field a validation error is about (`hours`, `key`, `id`), never its value. */
function invalidField(err: FastifyError): string {
  const first = err.validation?.[0];
  if (!first) return '';
  const path = first.instancePath.replace(/^\//, '').split('/')[0] ?? '';
  return path || String((first.params as { missingProperty?: unknown } | undefined)?.missingProperty ?? '');
}

/** The server's error handler: every error becomes the one error shape, with its status. */
export function handleError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  if (err.validation) {
    const field = invalidField(err);
    void sendApiError(reply, 400, 'REQUEST_INVALID', field ? { field } : undefined);
    return;
  }
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status === 404) {
    void sendApiError(reply, 404, 'NOT_FOUND');
    return;
  }
  if (status < 500) {
    // fastify's own refusals: unparsable JSON, unsupported content type, body too large …
    void sendApiError(reply, status, 'REQUEST_INVALID');
    return;
  }
  noteFailure(req, { code: 'SERVER_ERROR', cause: `${err.code ? `${err.code} ` : ''}${err.message}` });
  void sendApiError(reply, status, 'SERVER_ERROR');
}
