import { Badge } from '../components/badge/index.js';
import { KeyTest } from '../components/key-test/index.js';
import { LayerLight } from '../components/layer-light/index.js';
import { t } from '../i18n/index.js';
import * as f from '../lib/format.js';
import { health, now, version } from '../state/store.js';
import s from './style.module.css';

const COUNTERS = ['bytes', 'frames', 'pushes', 'decoded', 'failed'] as const;

export function HealthPage() {
  const h = health.value;
  if (!h) return <p class="card muted">{t.waiting}</p>;
  const errors = Object.entries(h.counters.errors).sort((a, b) => b[1] - a[1]);
  const unknown = <span class="muted">{t.health.unknown}</span>;
  return (
    <>
      <section class="card">
        <h2>{t.health.layersTitle}</h2>
        <ul class={s.plain} data-testid="layers">
          {h.layers.map((l) => (
            <LayerLight key={l.id} layer={l} />
          ))}
        </ul>
      </section>
      <KeyTest />
      <div class="grid">
        <section class="card">
          <h2>{t.health.counters}</h2>
          <table data-testid="counters">
            <tbody>
              {COUNTERS.map((c) => (
                <tr key={c}>
                  <td>{t.health.counterNames[c]}</td>
                  <td class="num">{f.integer(h.counters[c])}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {errors.length > 0 && (
            <>
              <h2 class={s.gap}>{t.health.errorsByCode}</h2>
              <table>
                <tbody>
                  {errors.map(([code, n]) => (
                    <tr key={code}>
                      <td class="mono">{code}</td>
                      <td class="num">{f.integer(n)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          )}
        </section>
        <section class="card" data-testid="last-error">
          <h2>{t.health.lastError}</h2>
          {h.lastError ? (
            <>
              <p class={s.flush}>
                <Badge tone="error">{h.lastError.code}</Badge> <span class="muted">{f.dateTime(h.lastError.at)} · {f.age(h.lastError.at, now.value)}</span>
              </p>
              <p class={s.gap}>{f.errorText(h.lastError)}</p>
            </>
          ) : (
            <p class={`muted ${s.flush}`}>{t.health.noError}</p>
          )}
        </section>
        <section class="card">
          <h2>{t.health.detected}</h2>
          <dl data-testid="detected">
            <dt>{t.health.framing}</dt>
            <dd>{h.detected.framing ?? unknown}</dd>
            <dt>{t.health.serialSettings}</dt>
            <dd>{h.detected.serialSettings ?? unknown}</dd>
            <dt>{t.health.profile}</dt>
            <dd>{h.detected.profile ?? unknown}</dd>
            <dt>{t.health.source}</dt>
            <dd>{h.source}</dd>
            <dt>{t.health.startedAt}</dt>
            <dd>{f.dateTime(h.startedAt)}</dd>
            <dt>{t.health.version}</dt>
            <dd>{version.value ?? '–'}</dd>
          </dl>
        </section>
      </div>
    </>
  );
}
