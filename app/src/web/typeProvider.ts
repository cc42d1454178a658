/**
 * Fastify type provider for the DTO schemas of contract/dto.ts: a route's `req.params`, `req.query` and `req.body`
 * get the static types of its request schemas, and what the handler returns or sends must have the (read-only) DTO
 * type of its response schema, so a route cannot compile against a shape its schema does not declare.
 */
import type { FastifyPluginCallback, FastifyPluginOptions, FastifyTypeProvider, RawServerDefault } from 'fastify';
import type { Static, TSchema } from 'typebox';
import type { Dto } from '../contract/dto.js';

export interface DtoTypeProvider extends FastifyTypeProvider {
  readonly validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  readonly serializer: this['schema'] extends TSchema ? Dto<this['schema']> : unknown;
}

/** A route plugin whose schemas are DTO schemas. */
export type DtoRoutes<Options extends FastifyPluginOptions> = FastifyPluginCallback<Options, RawServerDefault, DtoTypeProvider>;
