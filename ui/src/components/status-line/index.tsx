import type { ReaderStatusId } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { fill } from '../../i18n/render.js';
import { cx } from '../../lib/cx.js';
import * as f from '../../lib/format.js';
import { stale } from '../../state/freshness.js';
import { href, route } from '../../state/route.js';
import { connection, health, live, now } from '../../state/store.js';
import s from './style.module.css';

export type StatusTone = 'ok' | 'info' | 'warn' | 'error';

/** Tone of a reader status: transient or partial problems warn, the rest stops the data. */
export function toneOfStatus(status: ReaderStatusId): StatusTone {
  if (status === 'ok') return 'ok';
  if (status === 'starting') return 'info';
  if (status === 'line_errors' || status === 'implausible_values' || status === 'broker') return 'warn';
  return 'error';
}

/**
 * One sentence above every page: the reader status (the same value as Home Assistant's status entity) with its
 * cause and the next step, a link to the Health tab, and since when the values are stale when pushes stopped. The
 * sentence is a polite live region, so screen readers announce a change without interrupting; the ticking age
 * beside it is outside the region (it would be announced every second).
 */
export function StatusLine() {
  const h = health.value;
  const offline = connection.value === 'closed';
  const id = h?.status.id ?? null;
  const tone: StatusTone = offline ? 'error' : id ? toneOfStatus(id) : 'info';
  const receivedAt = live.value?.receivedAt;
  const staleText = stale.value && receivedAt ? fill(t.statusLine.stale, { time: f.time(receivedAt) }) : null;
  return (
    <div class={cx(s.line, s[tone])} data-testid="status-line" data-status={offline ? 'offline' : (id ?? 'unknown')} data-tone={tone}>
      <span class={s.text} role="status" aria-live="polite" data-testid="status-text">
        {offline ? (
          t.statusLine.offline
        ) : id ? (
          <>
            <strong>{t.health.readerStatus.names[id]}:</strong> {t.health.readerStatus.advice[id]}
          </>
        ) : (
          t.waiting
        )}
        {staleText && (
          <>
            {' '}
            <span data-testid="stale-note">{staleText}</span>
          </>
        )}
      </span>
      {staleText && receivedAt && (
        <span class="muted" data-testid="stale-age">
          {f.age(receivedAt, now.value)}
        </span>
      )}
      {!offline && id && id !== 'ok' && route.value.tab !== 'health' && (
        <a class={s.link} href={href('health')}>
          {t.statusLine.details}
        </a>
      )}
    </div>
  );
}
