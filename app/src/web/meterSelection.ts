/**
 * Which meter a request is about: `?meter=<id>` on every API route and on the WebSocket, the first meter when it is
 * absent (so a panel that knows nothing about meters keeps working). An unknown id is answered with 404 and the
 * code `METER_UNKNOWN`, never with another meter's data.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LiveSource, MeterLiveSource, MeterSummaryDto } from '../contract/dto.js';

export const METER_QUERY = 'meter';
/** Code of the 404 answer for `?meter=<id>` naming no configured meter. */
export const UNKNOWN_METER = 'METER_UNKNOWN';

export class MeterSelection {
  readonly meters: readonly MeterLiveSource[];

  constructor(meters: readonly MeterLiveSource[]) {
    if (meters.length === 0) throw new Error('MeterSelection needs at least one meter');
    this.meters = meters;
  }

  /** The meter a query names, the first one when it names none, or null for an unknown (or repeated) id. */
  select(query: unknown): MeterLiveSource | null {
    const wanted = query !== null && typeof query === 'object' ? (query as Record<string, unknown>)[METER_QUERY] : undefined;
    if (wanted === undefined || wanted === '') return this.meters[0]!;
    if (typeof wanted !== 'string') return null;
    return this.meters.find((m) => m.id === wanted) ?? null;
  }

  /** The selected meter's live source, or null after answering 404 `METER_UNKNOWN`. */
  sourceFor(req: FastifyRequest, reply: FastifyReply): LiveSource | null {
    const meter = this.select(req.query);
    if (meter) return meter.source;
    this.refuse(req, reply);
    return null;
  }

  /** 404 with a code and its parameters (the panel translates codes), and the ids that do exist. */
  refuse(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    const wanted = (req.query as Record<string, unknown> | undefined)?.[METER_QUERY];
    return reply.code(404).send({
      error: 'Not Found',
      code: UNKNOWN_METER,
      params: { meter: typeof wanted === 'string' ? wanted.slice(0, 64) : String(wanted).slice(0, 64) },
      meters: this.meters.map((m) => m.id),
    });
  }

  /** Every meter's status and power, for the overview (GET api/meters). */
  summaries(): MeterSummaryDto[] {
    return this.meters.map(({ id, name, source }) => {
      const { live, health } = source.snapshot();
      return { id, name, status: health.status.id, code: health.status.code, powerW: live.netPowerW, receivedAt: live.receivedAt };
    });
  }
}
