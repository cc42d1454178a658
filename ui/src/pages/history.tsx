import { useEffect, useState } from 'preact/hooks';
import type { HistoryDto, HistoryPointDto } from '../api/contract.js';
import { getHistory } from '../api/history.js';
import { EnergyBars, type EnergyBar } from '../components/energy-bars/index.js';
import { PowerChart } from '../components/power-chart/index.js';
import { Stat } from '../components/stat/index.js';
import { t } from '../i18n/index.js';
import { watts } from '../lib/format.js';
import { dayLabel, dayLongLabel, hourLabel, hourLong, kwhOf } from '../lib/historyFormat.js';
import { selectedMeter } from '../state/meters.js';

/** The page reloads the history this often while visible (the backend closes a minute every 60 s). */
const REFRESH_MS = 60_000;

const sum = (bars: readonly EnergyBar[], k: 'importWh' | 'exportWh') => bars.reduce((a, b) => a + (b[k] ?? 0), 0);

/** "Import 12.30 kWh, export 4.50 kWh; most import Thu 14:00 with 2.10 kWh" for the SVG's aria-label. */
function summary(title: string, bars: readonly EnergyBar[]): string {
  let peak: EnergyBar | null = null;
  for (const b of bars) if ((b.importWh ?? 0) > (peak?.importWh ?? 0)) peak = b;
  const text = `${title}. ${t.history.summary(kwhOf(sum(bars, 'importWh')), kwhOf(sum(bars, 'exportWh')))}`;
  return peak ? `${text}; ${t.history.peak(peak.label, kwhOf(peak.importWh!))}` : text;
}

function powerPoints(h: HistoryDto): HistoryPointDto[] {
  const out: HistoryPointDto[] = [];
  h.powerW.forEach((w, i) => {
    if (w !== null) out.push({ t: h.powerStart + i * h.powerStepMs, importW: Math.max(0, w), exportW: Math.max(0, -w) });
  });
  return out;
}

/** Energy per hour and per day and the power of the last 24 h, from the add-on's stored history. */
export function HistoryPage() {
  const [data, setData] = useState<HistoryDto | null>(null);
  const [failed, setFailed] = useState(false);
  // each meter has its own history: a switch in the header loads the other one at once
  const meter = selectedMeter.value;

  useEffect(() => {
    setData(null);
    const ctl = new AbortController();
    const load = () =>
      getHistory(ctl.signal).then(
        (d) => {
          setData(d);
          setFailed(false);
        },
        () => !ctl.signal.aborted && setFailed(true),
      );
    void load();
    const timer = setInterval(() => !document.hidden && void load(), REFRESH_MS);
    const onVisible = () => !document.hidden && void load();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
      ctl.abort();
    };
  }, [meter]);

  if (!data) return <p class="card muted" data-testid="history-loading">{failed ? t.history.loadFailed : t.history.loading}</p>;

  const hours: EnergyBar[] = data.hours.slice(-24).map((h) => ({ id: h.t, tick: hourLabel(h.t), label: hourLong(h.t), importWh: h.importWh, exportWh: h.exportWh }));
  const days: EnergyBar[] = data.days.slice(-30).map((d) => ({ id: d.date, tick: dayLabel(d.date), label: dayLongLabel(d.date), importWh: d.importWh, exportWh: d.exportWh }));
  const points = powerPoints(data);
  const range = { from: data.powerStart, to: data.powerStart + data.powerW.length * data.powerStepMs };
  const today = data.days[data.days.length - 1];
  const empty = points.length === 0 && hours.every((b) => b.importWh === null) && days.every((b) => b.importWh === null);
  const storage = data.problem ? t.history.problems[data.problem] : t.history.storage[data.storage];
  let lo = Infinity;
  let hi = -Infinity;
  for (const w of data.powerW) {
    if (w === null) continue;
    lo = Math.min(lo, w);
    hi = Math.max(hi, w);
  }

  return (
    <>
      <section class="card grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(180px, 1fr))' }} data-testid="history-totals">
        <Stat id="today-import" label={`${t.history.today} · ${t.history.import}`} value={today?.importWh == null ? '–' : kwhOf(today.importWh)} />
        <Stat id="today-export" label={`${t.history.today} · ${t.history.export}`} value={today?.exportWh == null ? '–' : kwhOf(today.exportWh)} />
        <Stat id="month-import" label={`${t.history.last30} · ${t.history.import}`} value={kwhOf(sum(days, 'importWh'))} />
        <Stat id="month-export" label={`${t.history.last30} · ${t.history.export}`} value={kwhOf(sum(days, 'exportWh'))} />
      </section>
      {empty ? (
        <p class="card muted" data-testid="history-empty">{t.history.none}</p>
      ) : (
        <>
          <section class="card">
            <h2>{t.history.hourly}</h2>
            <EnergyBars testId="history-hours" bars={hours} summary={summary(t.history.hourly, hours)} />
          </section>
          <section class="card">
            <h2>{t.history.daily}</h2>
            <EnergyBars testId="history-days" bars={days} summary={summary(t.history.daily, days)} />
          </section>
          <section class="card" data-testid="history-power">
            <h2>{t.history.power}</h2>
            {points.length ? (
              <PowerChart points={points} range={range} label={`${t.history.power}. ${t.history.powerRange(watts(lo), watts(hi))}`} />
            ) : (
              <p class="muted">{t.live.noHistory}</p>
            )}
          </section>
        </>
      )}
      <p class="muted" data-testid="history-storage" data-storage={data.storage}>
        {storage}
        {data.skippedRecords > 0 && ` ${t.history.skipped(data.skippedRecords)}`}
      </p>
    </>
  );
}
