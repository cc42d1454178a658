import { computed } from '@preact/signals';
import { PowerChart } from '../components/power-chart/index.js';
import { Freshness } from '../components/stale/index.js';
import { Stat } from '../components/stat/index.js';
import { t } from '../i18n/index.js';
import * as f from '../lib/format.js';
import { byKey, KEYS } from '../lib/readings.js';
import { history, live, now } from '../state/store.js';

const values = computed(() => {
  const r = live.value?.readings ?? [];
  return {
    importW: byKey(r, KEYS.powerImport),
    exportW: byKey(r, KEYS.powerExport),
    energyImport: byKey(r, KEYS.energyImport),
    energyExport: byKey(r, KEYS.energyExport),
    pf: byKey(r, KEYS.powerFactor),
    phases: KEYS.phases.map((p) => ({
      name: p.name,
      voltage: byKey(r, p.voltage),
      current: byKey(r, p.current),
      pf: byKey(r, p.pf),
    })),
  };
});

export function LivePage() {
  const l = live.value;
  if (!l?.receivedAt) return <p class="card muted" data-testid="waiting">{t.waiting}</p>;
  const v = values.value;
  const net = l.netPowerW;
  return (
    <Freshness>
      <section class="card grid" data-testid="power">
        <Stat id="net" big label={t.live.net} value={f.wattsSigned(net)} sub={t.live.netHint}
          color={net === null || net === 0 ? undefined : net > 0 ? 'var(--import)' : 'var(--export)'} />
        <Stat id="import" label={t.live.import} value={f.watts(v.importW)} color="var(--import)" />
        <Stat id="export" label={t.live.export} value={f.watts(v.exportW)} color="var(--export)" />
      </section>
      <section class="card grid">
        <Stat id="energy-import" label={t.live.energyImport} value={f.kwh(v.energyImport)} />
        <Stat id="energy-export" label={t.live.energyExport} value={f.kwh(v.energyExport)} />
        <Stat id="meter-time" label={t.live.meterTime} value={f.dateTime(l.meterTime)}
          sub={<span data-testid="age">{t.live.age}: {f.age(l.receivedAt, now.value)}</span>} />
      </section>
      <section class="card">
        <h2>{t.live.phases}</h2>
        <table data-testid="phases">
          <thead>
            <tr>
              <th>{t.live.phase}</th>
              <th class="num">{t.live.voltage}</th>
              <th class="num">{t.live.current}</th>
              <th class="num">{t.live.powerFactor}</th>
            </tr>
          </thead>
          <tbody>
            {v.phases.map((p) => (
              <tr key={p.name}>
                <td>{p.name}</td>
                <td class="num">{f.volts(p.voltage)}</td>
                <td class="num">{f.amps(p.current)}</td>
                <td class="num">{f.factor(p.pf)}</td>
              </tr>
            ))}
          </tbody>
          {v.pf !== null && (
            <tfoot>
              <tr>
                <td>Σ</td>
                <td />
                <td />
                <td class="num">{f.factor(v.pf)}</td>
              </tr>
            </tfoot>
          )}
        </table>
      </section>
      <section class="card">
        <h2>{t.live.chart}</h2>
        {history.value.length ? <PowerChart points={history.value} /> : <p class="muted">{t.live.noHistory}</p>}
      </section>
      <details class="card">
        <summary>{t.live.allReadings}</summary>
        <table data-testid="readings">
          <thead>
            <tr>
              <th>{t.live.obis}</th>
              <th class="num">{t.live.value}</th>
            </tr>
          </thead>
          <tbody>
            {l.readings.map((r) => (
              <tr key={r.obis}>
                <td class="mono">{r.obis}</td>
                <td class="num">
                  {f.reading(r.value, r.unit)}
                  {r.unscaled && <span class="muted"> ({t.live.unscaled})</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Freshness>
  );
}
