import type { FastifyPluginCallback } from 'fastify';
import type { HistoryDto } from '../../contract/dto.js';
import type { MeterSelection } from '../meterSelection.js';
import { apiError } from './api.js';
import { historyQuerySchema, historySchema } from '../schemas.js';

export interface HistoryRoutesOptions {
  /** The meters; `?meter=<id>` picks one (the first by default), each with its own history store. */
  readonly meters: MeterSelection;
}

/** Defaults of GET api/history: today and yesterday by the hour, a month by the day, the last 24 h of power. */
export const HISTORY_DEFAULTS = { hours: 48, days: 31, minutes: 24 * 60 } as const;

/** GET api/history: the selected meter's energy history (numbers and codes only); 404 where none is kept. */
export const historyRoutes: FastifyPluginCallback<HistoryRoutesOptions> = (app, opts, done) => {
  app.get<{ Querystring: { hours?: number; days?: number; minutes?: number; meter?: string } }>(
    '/api/history',
    { schema: { querystring: historyQuerySchema, response: { 200: historySchema } } },
    (req, reply): HistoryDto | void => {
      void reply.header('cache-control', 'no-store');
      const meter = opts.meters.select(req.query);
      if (!meter) {
        opts.meters.refuse(req, reply);
        return;
      }
      if (!meter.history) {
        void reply.code(404).send(apiError('Not Found', 'HISTORY_NOT_KEPT', 'not_kept', { meter: meter.id }));
        return;
      }
      const q = req.query;
      const view = meter.history.view({
        hours: q.hours ?? HISTORY_DEFAULTS.hours,
        days: q.days ?? HISTORY_DEFAULTS.days,
        powerMinutes: q.minutes ?? HISTORY_DEFAULTS.minutes,
      });
      return { ...view, powerStepMs: 60_000 };
    },
  );
  done();
};
