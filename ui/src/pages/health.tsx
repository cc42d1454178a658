import { Badge } from '../components/badge/index.js';
import { KeyTest } from '../components/key-test/index.js';
import { LayerLight } from '../components/layer-light/index.js';
import { toneOfStatus } from '../components/status-line/index.js';
import { t } from '../i18n/index.js';
import { errorSentence, stageName, technicalDetail } from '../i18n/render.js';
import * as f from '../lib/format.js';
import { health, now, version } from '../state/store.js';
import s from './style.module.css';

const COUNTERS = ['bytes', 'frames', 'pushes', 'decoded', 'failed'] as const;

export function HealthPage() {
  const h = health.value;
  if (!h) return <p class="card muted">{t.waiting}</p>;
  const errors = Object.entries(h.counters.errors).sort((a, b) => b[1] - a[1]);
  const unknown = <span class="muted">{t.health.unknown}</span>;
  const rs = t.health.readerStatus;
  return (
    <>
      <section class="card" data-testid="reader-status" data-status={h.status.id}>
        <h2>{rs.title}</h2>
        <p class={s.flush}>
          <Badge tone={toneOfStatus(h.status.id)}>{rs.names[h.status.id]}</Badge>{' '}
          <span class="muted">
            {rs.since} {f.dateTime(h.status.since)} · {f.age(h.status.since, now.value)}
            {h.status.code && (
              <>
                {' · '}
                {rs.code} <span class="mono">{h.status.code}</span>
              </>
            )}
          </span>
        </p>
        <p class={s.gap}>{rs.advice[h.status.id]}</p>
      </section>
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
                <Badge tone="error">{h.lastError.code}</Badge>{' '}
                <span class="muted">
                  {stageName(h.lastError.stage)} · {f.dateTime(h.lastError.at)} · {f.age(h.lastError.at, now.value)}
                </span>
              </p>
              <p class={s.gap} data-code={h.lastError.code}>
                {errorSentence(h.lastError)}
              </p>
              {h.lastError.detail && (
                <details class="muted">
                  <summary>{t.inspector.technical}</summary>
                  <code lang="en" translate={false}>
                    {technicalDetail(h.lastError)}
                  </code>
                </details>
              )}
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
            <dd>
              {h.detected.serialSettings ?? unknown}
              {h.detected.serialSettings && (
                <span class="muted"> ({h.detected.serialSettingsConfirmed ? t.health.serialConfirmed : t.health.serialDetecting})</span>
              )}
            </dd>
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
