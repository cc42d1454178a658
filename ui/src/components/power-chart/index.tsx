import { useMemo, useState } from 'preact/hooks';
import type { HistoryPointDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { clock, clockSec, powerTick, watts } from '../../lib/format.js';
import { useWidth } from '../../lib/useWidth.js';
import s from './style.module.css';

const HEIGHT = 220;
const TOP = 8;
const BOTTOM = 22;
const RIGHT = 12;
const PLOT_H = HEIGHT - TOP - BOTTOM;
/** The x axis spans at least this much, so the first pushes after a start do not fill the width. */
const MIN_SPAN = 60_000;
/** Time axis steps (ms): 1 s … 6 h (the History page shows 24 h). */
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((x) => x * 1000);

interface Geometry {
  left: number;
  x: (t: number) => number;
  /** x pixel → time. */
  t: (x: number) => number;
  xTicks: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
  imp: string;
  exp: string;
  y: (w: number) => number;
}

/** A fixed time axis (epoch ms), e.g. the last 24 h on the History page; default: the points' own span. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

/** 0 … top in 3–5 "nice" steps (1, 2, 2.5, 5 × 10^n) covering max. */
function valueTicks(peak: number): number[] {
  const max = Math.max(peak, 100);
  const rough = max / 4;
  const mag = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((n) => n * mag >= rough) ?? 10) * mag;
  const ticks = [];
  for (let v = 0; v < max + step; v += step) ticks.push(v);
  return ticks;
}

/** Line with a new sub-path after a gap in the data (backend or meter down), one command per point. */
function path(points: readonly HistoryPointDto[], x: (t: number) => number, y: (w: number) => number, key: 'importW' | 'exportW', gap: number): string {
  let d = '';
  let prev = -Infinity;
  for (const p of points) {
    // `l0 0` after a move: a lone point (between two gaps) still shows, as a dot from the round line cap
    d += `${p.t - prev > gap ? 'M' : 'L'}${x(p.t).toFixed(1)} ${y(p[key]).toFixed(1)}${p.t - prev > gap ? 'l0 0' : ''}`;
    prev = p.t;
  }
  return d;
}

function geometry(points: readonly HistoryPointDto[], width: number, range?: TimeRange): Geometry {
  const t1 = range?.to ?? points[points.length - 1]!.t;
  const t0 = range?.from ?? Math.min(points[0]!.t, t1 - MIN_SPAN);
  const span = t1 - t0;

  let max = 0;
  for (const p of points) max = Math.max(max, p.importW, p.exportW);
  const vt = valueTicks(max);
  const top = vt[vt.length - 1]!;
  const kw = top >= 1000;
  const yLabels = vt.map((v) => powerTick(v, kw));
  const left = 10 + 6.5 * Math.max(...yLabels.map((l) => l.length));
  const plotW = Math.max(50, width - left - RIGHT);
  const x = (t: number) => left + ((t - t0) / span) * plotW;
  const y = (w: number) => TOP + PLOT_H - (w / top) * PLOT_H;

  // Time ticks on local clock boundaries; labels need ~90 px with seconds, ~60 px without (12-hour clocks).
  const secs = span < 600_000;
  const fmt = secs ? clockSec : clock;
  const labelW = fmt(t1).length * 6.5 + 16;
  const step = STEPS.find((st) => span / st <= plotW / labelW) ?? STEPS[STEPS.length - 1]!;
  const off = new Date(t1).getTimezoneOffset() * -60_000;
  const xTicks = [];
  for (let tt = Math.ceil((t0 + off) / step) * step - off; tt <= t1; tt += step) {
    const px = x(tt);
    if (px + labelW / 2 - 8 <= width) xTicks.push({ x: px, label: fmt(tt) });
  }

  // Break the line where the gap is much longer than the usual push interval.
  const dts = points.slice(1).map((p, i) => p.t - points[i]!.t).sort((a, b) => a - b);
  const gap = Math.max(5_000, 3 * (dts[dts.length >> 1] ?? 0));

  return {
    left,
    x,
    t: (px) => t0 + ((px - left) / plotW) * span,
    xTicks,
    yTicks: vt.map((v, i) => ({ y: y(v), label: yLabels[i]! })),
    imp: path(points, x, y, 'importW', gap),
    exp: path(points, x, y, 'exportW', gap),
    y,
  };
}

/** Index of the point nearest to time t (points sorted by time). */
function nearest(points: readonly HistoryPointDto[], t: number): number {
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && t - points[lo - 1]!.t < points[lo]!.t - t ? lo - 1 : lo;
}

/**
 * Import and export power (the last hour on the Live page, 24 h of minute means on the History page): SVG lines,
 * W/kW axis, legend with a hover/touch readout. `label` is the SVG's accessible name, `range` a fixed time axis.
 */
export function PowerChart({ points, label, range }: { points: readonly HistoryPointDto[]; label?: string; range?: TimeRange }) {
  const { host, width } = useWidth<HTMLDivElement>();
  /** Pointer x in px while hovering or touching, else null (the readout then shows the newest point). */
  const [hoverX, setHoverX] = useState<number | null>(null);

  const g = useMemo(() => (width && points.length ? geometry(points, width, range) : null), [points, width, range]);
  const idx = g && hoverX !== null ? nearest(points, g.t(hoverX)) : points.length - 1;
  const p = points[idx];
  const move = (e: PointerEvent) => setHoverX(e.clientX - (e.currentTarget as Element).getBoundingClientRect().left);
  const leave = () => setHoverX(null);

  return (
    <div ref={host} class={s.chart} data-testid="power-chart" data-points={points.length}>
      {g && (
        <svg class={s.svg} width={width} height={HEIGHT} role="img" aria-label={label ?? t.live.chart}
          onPointerMove={move} onPointerDown={move} onPointerLeave={leave} onPointerCancel={leave}>
          {g.yTicks.map((k) => (
            <g key={k.label}>
              <line class={s.grid} x1={g.left} x2={width - RIGHT} y1={k.y} y2={k.y} />
              <text class={s.axis} x={g.left - 6} y={k.y} dy="0.35em" text-anchor="end">{k.label}</text>
            </g>
          ))}
          {g.xTicks.map((k) => (
            <g key={k.x}>
              <line class={s.grid} x1={k.x} x2={k.x} y1={TOP} y2={TOP + PLOT_H + 4} />
              <text class={s.axis} x={k.x} y={HEIGHT - 4} text-anchor="middle">{k.label}</text>
            </g>
          ))}
          <path class={`${s.line} ${s.exp}`} d={g.exp} data-series="export" />
          <path class={`${s.line} ${s.imp}`} d={g.imp} data-series="import" />
          {hoverX !== null && p && (
            <g>
              <line class={s.cursor} x1={g.x(p.t)} x2={g.x(p.t)} y1={TOP} y2={TOP + PLOT_H} />
              <circle class={`${s.dot} ${s.exp}`} cx={g.x(p.t)} cy={g.y(p.exportW)} r={4} />
              <circle class={`${s.dot} ${s.imp}`} cx={g.x(p.t)} cy={g.y(p.importW)} r={4} />
            </g>
          )}
        </svg>
      )}
      {p && (
        <div class={s.legend} data-testid="chart-readout">
          <span>{clockSec(p.t)}</span>
          <span class={`${s.key} ${s.imp}`}>
            {t.live.import} <b>{watts(p.importW)}</b>
          </span>
          <span class={`${s.key} ${s.exp}`}>
            {t.live.export} <b>{watts(p.exportW)}</b>
          </span>
        </div>
      )}
    </div>
  );
}
