/**
 * Validates every JSON answer against its route's response schema (the DTO schemas of contract/dto.ts) before it is
 * serialised. fast-json-stringify alone turns a wrong type into something else (a number into a string, a missing
 * optional into nothing) and never checks an enum; here an answer that does not match its DTO fails with 500
 * SERVER_ERROR and a log line naming the field, instead of reaching the panel. Validators are compiled once per
 * schema (TypeBox's compiler).
 */
import type { FastifyRequest, preSerializationHookHandler } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { noteFailure } from './apiErrors.js';

const validators = new WeakMap<TSchema, Validator>();

function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (!validator) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/** The response schema of the route for this status: exact code, then `4xx`/`5xx`, then `default`. */
function responseSchemaOf(req: FastifyRequest, status: number): TSchema | undefined {
  const responses = req.routeOptions.schema?.response as Record<string, TSchema> | undefined;
  return responses?.[status] ?? responses?.[`${String(status)[0]}xx`] ?? responses?.default;
}

/** An answer that does not match its schema (a bug of the backend): the error handler answers 500. */
export class ResponseInvalidError extends Error {
  readonly statusCode = 500;
  readonly code = 'RESPONSE_INVALID';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const validateResponse: preSerializationHookHandler<unknown> = (req, reply, payload, done) => {
  const status = reply.statusCode;
  if (status >= 400 && isRecord(payload) && typeof payload.code === 'string') {
    noteFailure(req, { code: payload.code, params: isRecord(payload.params) ? (payload.params as Record<string, string | number>) : undefined });
  }
  const schema = responseSchemaOf(req, status);
  if (!schema) {
    done(null, payload);
    return;
  }
  const validator = validatorOf(schema);
  if (validator.Check(payload)) {
    done(null, payload);
    return;
  }
  // the first error names the field and the rule, never the value
  const first = validator.Errors(payload)[0];
  done(new ResponseInvalidError(`response ${status} does not match its schema: ${first ? `${first.instancePath || '/'} ${first.message}` : 'invalid'}`));
};
