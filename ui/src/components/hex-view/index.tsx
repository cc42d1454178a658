import type { HexBlockDto, HexFieldDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
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

/** Annotated hex: fields coloured by kind, hover for label and value. */
export function HexView({ blocks }: { blocks: readonly HexBlockDto[] }) {
  const used = new Set(blocks.flatMap((b) => b.fields.map((f) => f.kind)));
  return (
    <div>
      {blocks.map((b, i) => (
        <figure key={i} class={s.block}>
          <figcaption>
            {b.title} <span class="muted">({b.hex.length / 2} B)</span>
          </figcaption>
          <pre class={s.hex}>
            {segments(b).map((seg, j) => (
              <span
                key={j}
                class={cx(seg.field && s[seg.field.kind])}
                title={seg.field ? `${seg.field.label}${seg.field.value ? `: ${seg.field.value}` : ''}` : undefined}
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
