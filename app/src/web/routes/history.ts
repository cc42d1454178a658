import type { FastifyPluginCallback } from 'fastify';
import type { HistoryDto, HistorySource } from '../contract.js';
import { historyQuerySchema, historySchema } from '../schemas.js';

export interface HistoryRoutesOptions {
  readonly history: HistorySource;
}

/** Defaults of GET api/history: today and yesterday by the hour, a month by the day, the last 24 h of power. */
export const HISTORY_DEFAULTS = { hours: 48, days: 31, minutes: 24 * 60 } as const;

/** GET api/history: the energy history store's figures (numbers and codes only). */
export const historyRoutes: FastifyPluginCallback<HistoryRoutesOptions> = (app, opts, done) => {
  app.get<{ Querystring: { hours?: number; days?: number; minutes?: number } }>(
    '/api/history',
    { schema: { querystring: historyQuerySchema, response: { 200: historySchema } } },
    (req, reply): HistoryDto => {
      void reply.header('cache-control', 'no-store');
      const q = req.query;
      const view = opts.history.view({
        hours: q.hours ?? HISTORY_DEFAULTS.hours,
        days: q.days ?? HISTORY_DEFAULTS.days,
        powerMinutes: q.minutes ?? HISTORY_DEFAULTS.minutes,
      });
      return { ...view, powerStepMs: 60_000 };
    },
  );
  done();
};
