import { signal } from '@preact/signals';
import type { FrameRecordDto, FrameSummaryDto } from '../../api/contract.js';
import { t } from '../../i18n/index.js';
import { fill } from '../../i18n/render.js';
import { loadDetail } from '../../state/frameDetails.js';
import { heldBack, paused, pinned, setPaused, setPinned } from '../../state/store.js';
import s from './style.module.css';

/** Pause/resume of the live list, with the number of pushes held back meanwhile. */
export function PauseToggle() {
  const on = paused.value;
  return (
    <span class={s.tools}>
      <button type="button" class={s.button} aria-pressed={on} data-testid="pause" onClick={() => setPaused(!on)}>
        {on ? t.inspector.resume : t.inspector.pause}
      </button>
      {on && (
        <span class="muted" role="status" data-testid="held-back">
          {fill(t.inspector.paused, { count: heldBack.value.length })}
        </span>
      )}
    </span>
  );
}

/** Pin/unpin: a pinned push stays in the list (and keeps its details) however many pushes follow. */
export function PinToggle({ frame }: { frame: FrameSummaryDto }) {
  const on = pinned.value.has(frame.id);
  const toggle = () => {
    setPinned(frame, !on);
    if (!on) loadDetail(frame.id);
  };
  return (
    <button type="button" class={s.button} aria-pressed={on} data-testid="pin" onClick={toggle}>
      {on ? t.inspector.unpin : t.inspector.pin}
    </button>
  );
}

/** One push as a capture file, in the format of api/capture (`#` comment lines, then the hex): no key in it. */
export function captureText(frame: FrameRecordDto): string {
  return [
    '# Smart Meter Reader capture: one push as received (hex). It contains no key.',
    '# Decode it with: node app/dist/cli.js decode --key <your key> <this file>',
    `# ${frame.at} ${frame.ok ? 'ok' : 'failed'}, push #${frame.id}, framing ${frame.framing ?? 'unknown'}`,
    frame.raw,
    '',
  ].join('\n');
}

const copyState = signal<{ id: number; ok: boolean } | null>(null);

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Copy the push's hex; download it as a one-push capture. */
export function FrameActions({ frame }: { frame: FrameRecordDto }) {
  const state = copyState.value?.id === frame.id ? copyState.value : null;
  const onCopy = () => {
    void copy(frame.raw).then((ok) => (copyState.value = { id: frame.id, ok }));
  };
  const onDownload = () => {
    const url = URL.createObjectURL(new Blob([captureText(frame)], { type: 'text/plain' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `smart-meter-push-${frame.id}.hex`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  };
  return (
    <span class={s.tools}>
      <button type="button" class={s.button} data-testid="copy-hex" onClick={onCopy}>
        {t.inspector.copyHex}
      </button>
      {state && (
        <span class="muted" role="status" data-testid="copy-state" data-ok={String(state.ok)}>
          {state.ok ? t.inspector.copied : t.inspector.copyFailed}
        </span>
      )}
      <button type="button" class={s.button} data-testid="download-one" onClick={onDownload}>
        {t.inspector.downloadOne}
      </button>
    </span>
  );
}
