import type { HexBlockDto, HexFieldDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { blockTitle, fill } from '../../i18n/render.js';
import { cx } from '../../lib/cx.js';
import { hexSpaced } from '../../lib/format.js';
import s from './style.module.css';

type Kind = HexFieldDto['kind'];
const KINDS = Object.keys(t.frames.kinds) as Kind[];

interface Segment {
  readonly hex: string;
  readonly field: HexFieldDto | null;
}

/** Splits a block's hex into coloured runs: one per field, gaps as plain runs. */
function segments(block: HexBlockDto): Segment[] {
  const bytes = block.hex.length / 2;
  const fields = [...block.fields].sort((a, b) => a.start - b.start);
  const out: Segment[] = [];
  let at = 0;
  for (const f of fields) {
    if (f.start < at || f.start >= bytes) continue;
    if (f.start > at) out.push({ hex: block.hex.slice(at * 2, f.start * 2), field: null });
    const end = Math.min(bytes, f.start + f.length);
    out.push({ hex: block.hex.slice(f.start * 2, end * 2), field: f });
    at = end;
  }
  if (at < bytes) out.push({ hex: block.hex.slice(at * 2), field: null });
  return out;
}

/** A field's value: the technical value, and the translated meaning of its params (security bits, date-time state). */
function fieldValue(f: HexFieldDto): string {
  const v = t.codes.fieldValues;
  const p = f.params;
  const parts: string[] = [];
  if (p && typeof p.suite === 'number') {
    parts.push(fill(v.suite, p), ...(p.encrypted ? [v.encrypted] : []), p.authenticated ? v.authenticated : v.noTag);
  } else if (p && typeof p.bytes === 'number') parts.push(fill(v.bytes, p));
  else if (p?.state === 'absent') parts.push(v.absent);
  else if (p?.state === 'implausible') parts.push(v.implausible);
  if (parts.length === 0) return f.value ?? '';
  if (f.label === 'length') return parts.join(', ');
  return f.value ? `${f.value}: ${parts.join(', ')}` : parts.join(', ');
}

function fieldTitle(f: HexFieldDto): string {
  const value = fieldValue(f);
  const label = t.codes.fields[f.label] ?? f.label;
  return value ? `${label}: ${value}` : label;
}

/** Annotated hex: fields coloured by kind, hover for label and value. */
export function HexView({ blocks }: { blocks: readonly HexBlockDto[] }) {
  const used = new Set(blocks.flatMap((b) => b.fields.map((f) => f.kind)));
  return (
    <div>
      {blocks.map((b, i) => (
        <figure key={i} class={cx(s.block, b.failed && s.failed)} data-block={b.title.code} data-failed={b.failed ? 'true' : undefined}>
          <figcaption>
            {b.failed && <span aria-hidden="true">✗ </span>}
            {blockTitle(b.title)} <span class="muted">({b.hex.length / 2} B)</span>
          </figcaption>
          <pre class={s.hex}>
            {segments(b).map((seg, j) => (
              <span
                key={j}
                class={cx(seg.field && s[seg.field.kind])}
                title={seg.field ? fieldTitle(seg.field) : undefined}
              >
                {hexSpaced(seg.hex)}{' '}
              </span>
            ))}
          </pre>
        </figure>
      ))}
      <ul class={s.legend} aria-label={t.frames.legend}>
        {KINDS.filter((k) => used.has(k)).map((k) => (
          <li key={k}>
            <span class={cx(s.swatch, s[k])} /> {t.frames.kinds[k]}
          </li>
        ))}
      </ul>
    </div>
  );
}
