import { Badge, type Tone } from '../badge/index.js';
import type { ReaderStatusId } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { cx } from '../../lib/cx.js';
import { wattsSigned } from '../../lib/format.js';
import { meters, selectMeter, shownMeterId } from '../../state/meters.js';
import s from './style.module.css';

const tone = (status: ReaderStatusId): Tone => (status === 'ok' ? 'ok' : status === 'starting' ? 'info' : 'error');

/**
 * Every meter with its status and net power; the pressed one is on screen. Shown only when the add-on reads two
 * or more meters.
 */
export function MeterSwitcher() {
  const list = meters.value;
  if (list.length < 2) return null;
  const shown = shownMeterId();
  return (
    <nav class={s.switcher} aria-label={t.meters.label} data-testid="meter-switcher">
      {list.map((m) => (
        <button
          key={m.id}
          type="button"
          class={cx(s.meter, m.id === shown && s.active)}
          aria-pressed={m.id === shown}
          data-meter={m.id}
          onClick={() => selectMeter(m.id)}
        >
          <span class={s.name}>{m.name}</span>
          <span class={s.power} title={t.meters.power}>
            {wattsSigned(m.powerW)}
          </span>
          <span class={s.status}>
            <Badge tone={tone(m.status)} title={`${t.meters.status}: ${m.code ?? m.status}`}>
              {t.health.readerStatus.names[m.status] ?? m.status}
            </Badge>
          </span>
        </button>
      ))}
    </nav>
  );
}
