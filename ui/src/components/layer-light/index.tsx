import type { HealthLayerDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { message } from '../../i18n/render.js';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

/** One layer of the health chain as a traffic light with detail and translated hint. */
export function LayerLight({ layer }: { layer: HealthLayerDto }) {
  const hint = layer.hintId === null ? null : (t.codes.hints[layer.hintId] ?? null);
  return (
    <li class={s.row} data-layer={layer.id} data-status={layer.status}>
      <span class={cx(s.light, s[layer.status])} role="img" aria-label={t.health.status[layer.status]} />
      <div class={s.body}>
        <div>
          <strong>{t.health.layers[layer.id]}</strong> <span class={s.status}>{t.health.status[layer.status]}</span>
        </div>
        <div class="muted" data-code={layer.detail.code}>
          {message(t.codes.layers, layer.detail)}
        </div>
        {hint && <div class={s.hint}>{hint}</div>}
        {layer.technical && (
          <details class="muted">
            <summary>{t.inspector.technical}</summary>
            <code lang="en" translate={false}>
              {layer.technical}
            </code>
          </details>
        )}
      </div>
    </li>
  );
}
