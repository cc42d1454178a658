import type { ComponentChildren } from 'preact';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

/** A labelled big value. */
export function Stat(props: { label: string; value: string; sub?: ComponentChildren; big?: boolean; color?: string; id?: string }) {
  return (
    <div class={s.stat} data-stat={props.id}>
      <div class={s.label}>{props.label}</div>
      <div class={cx(s.value, props.big && s.big)} style={props.color ? { color: props.color } : undefined}>
        {props.value}
      </div>
      {props.sub !== undefined && <div class={s.sub}>{props.sub}</div>}
    </div>
  );
}
