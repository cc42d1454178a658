import type { ComponentChildren } from 'preact';
import { cx } from '../../lib/cx.js';
import * as f from '../../lib/format.js';
import { stale, valuesAgeMs } from '../../state/freshness.js';
import s from './style.module.css';

/** Wraps values that are only true while pushes arrive: dimmed (grey, not faded) once they are stale. */
export function Freshness({ children }: { children: ComponentChildren }) {
  const isStale = stale.value;
  const age = valuesAgeMs.value;
  return (
    <div class={cx(isStale && s.stale)} data-testid="values" data-stale={String(isStale)} data-age={age === null ? undefined : f.duration(age)}>
      {children}
    </div>
  );
}
