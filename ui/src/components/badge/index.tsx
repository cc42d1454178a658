import type { ComponentChildren } from 'preact';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

export type Tone = 'ok' | 'warn' | 'error' | 'off' | 'info';

/** A small rounded status pill. */
export function Badge({ tone, title, children }: { tone: Tone; title?: string; children: ComponentChildren }) {
  return (
    <span class={cx(s.badge, s[tone])} title={title} data-tone={tone}>
      {children}
    </span>
  );
}
