import { useState } from 'preact/hooks';
import { t } from '../../i18n/index.js';
import { kwhOf, kwhTick } from '../../lib/historyFormat.js';
import { useWidth } from '../../lib/useWidth.js';
import s from './style.module.css';

export interface EnergyBar {
  /** Stable key (hour start or date). */
  readonly id: string | number;
  /** Short axis label ("14:00", "3.12."). */
  readonly tick: string;
  /** Full label for the readout and the table ("Thu, 3 Dec, 14:00"). */
  readonly label: string;
  readonly importWh: number | null;
  readonly exportWh: number | null;
}

const HEIGHT = 200;
const TOP = 8;
const BOTTOM = 22;
const RIGHT = 8;
const PLOT_H = HEIGHT - TOP - BOTTOM;

/** A "nice" step (1, 2, 2.5, 5 × 10^n) so that about 3 steps cover `max`. */
function niceStep(max: number): number {
  const rough = Math.max(max, 1) / 3;
  const mag = 10 ** Math.floor(Math.log10(rough));
  return ([1, 2, 2.5, 5, 10].find((n) => n * mag >= rough) ?? 10) * mag;
}

/**
 * Import (up) and export (down) energy per bucket as SVG bars with a kWh axis, a hover/touch readout (default:
 * the total), a summary for screen readers (`summary`, the SVG's aria-label) and the figures as a table.
 */
export function EnergyBars({ bars, summary, testId }: { bars: readonly EnergyBar[]; summary: string; testId: string }) {
  const { host, width } = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<number | null>(null);

  let maxI = 0;
  let maxE = 0;
  let sumI = 0;
  let sumE = 0;
  for (const b of bars) {
    maxI = Math.max(maxI, b.importWh ?? 0);
    maxE = Math.max(maxE, b.exportWh ?? 0);
    sumI += b.importWh ?? 0;
    sumE += b.exportWh ?? 0;
  }
  const step = niceStep(Math.max(maxI, maxE, 100));
  const up = Math.max(step, Math.ceil(maxI / step) * step);
  const down = maxE > 0 ? Math.ceil(maxE / step) * step : 0;
  const ticks: number[] = [];
  for (let v = -down; v <= up + 1e-9; v += step) ticks.push(v);
  // export below the zero line is labelled by its amount; the unit goes on the top tick
  const labels = ticks.map((v) => `${kwhTick(Math.abs(v), step)}${v === ticks[ticks.length - 1] ? ' kWh' : ''}`);
  const left = 12 + 6.5 * Math.max(...labels.map((l) => l.length));
  const plotW = Math.max(40, width - left - RIGHT);
  const y = (wh: number) => TOP + ((up - wh) / (up + down)) * PLOT_H;
  const band = plotW / Math.max(1, bars.length);
  const barW = Math.max(1, band * 0.72);
  const every = Math.max(1, Math.ceil(((bars[0]?.tick.length ?? 5) * 6.5 + 10) / band));

  const shown = hover === null ? null : bars[hover];
  const move = (e: PointerEvent) => {
    const i = Math.floor((e.clientX - (e.currentTarget as Element).getBoundingClientRect().left - left) / band);
    setHover(i >= 0 && i < bars.length ? i : null);
  };

  return (
    <div ref={host} class={s.chart} data-testid={testId} data-bars={bars.filter((b) => b.importWh !== null || b.exportWh !== null).length}>
      {width > 0 && (
        <svg class={s.svg} width={width} height={HEIGHT} role="img" aria-label={summary}
          onPointerMove={move} onPointerDown={move} onPointerLeave={() => setHover(null)} onPointerCancel={() => setHover(null)}>
          {ticks.map((v, i) => (
            <g key={v}>
              <line class={v === 0 ? s.zero : s.grid} x1={left} x2={width - RIGHT} y1={y(v)} y2={y(v)} />
              <text class={s.axis} x={left - 6} y={y(v)} dy="0.35em" text-anchor="end">{labels[i]}</text>
            </g>
          ))}
          {hover !== null && <rect class={s.hover} x={left + hover * band} y={TOP} width={band} height={PLOT_H} />}
          {bars.map((b, i) => {
            const x = left + i * band + (band - barW) / 2;
            return (
              <g key={b.id}>
                {(b.importWh ?? 0) > 0 && <rect class={s.imp} x={x} width={barW} y={y(b.importWh!)} height={y(0) - y(b.importWh!)} />}
                {(b.exportWh ?? 0) > 0 && <rect class={s.exp} x={x} width={barW} y={y(0)} height={y(-b.exportWh!) - y(0)} />}
                {i % every === 0 && (
                  <text class={s.axis} x={left + i * band + band / 2} y={HEIGHT - 4} text-anchor="middle">{b.tick}</text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      <div class={s.legend} data-testid={`${testId}-readout`}>
        <span>{shown ? shown.label : t.history.total}</span>
        <span class={`${s.key} ${s.imp}`}>
          {t.history.import} <b>{shown ? (shown.importWh === null ? '–' : kwhOf(shown.importWh)) : kwhOf(sumI)}</b>
        </span>
        <span class={`${s.key} ${s.exp}`}>
          {t.history.export} <b>{shown ? (shown.exportWh === null ? '–' : kwhOf(shown.exportWh)) : kwhOf(sumE)}</b>
        </span>
      </div>
      <details class={s.table}>
        <summary>{t.history.table}</summary>
        <table>
          <thead>
            <tr>
              <th>{t.history.when}</th>
              <th class="num">{t.history.import}</th>
              <th class="num">{t.history.export}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((b) => (
              <tr key={b.id}>
                <td>{b.label}</td>
                <td class="num">{b.importWh === null ? '–' : kwhOf(b.importWh)}</td>
                <td class="num">{b.exportWh === null ? '–' : kwhOf(b.exportWh)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
