import type { StageDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

const MARK = { pass: '✓', fail: '✗', skip: '–' } as const;

/** bytes → frames → checksum → decryption → structure → readings, each pass/fail/skip. */
export function StageChips({ stages }: { stages: readonly StageDto[] }) {
  return (
    <ol class={s.chips}>
      {stages.map((st) => (
        <li
          key={st.id}
          class={cx(s.chip, s[st.status])}
          data-stage={st.id}
          data-status={st.status}
          title={`${t.frames.stages[st.id]}: ${t.frames.stageStatus[st.status]}`}
        >
          <span aria-hidden="true">{MARK[st.status]}</span> {t.frames.stages[st.id]}
        </li>
      ))}
    </ol>
  );
}
