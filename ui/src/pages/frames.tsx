import { captureUrl } from '../api/client.js';
import type { FrameRecordDto } from '../api/contract.js';
import { AxdrTree } from '../components/axdr-tree/index.js';
import { Badge } from '../components/badge/index.js';
import { HexView } from '../components/hex-view/index.js';
import { StageChips } from '../components/stage-chips/index.js';
import { t } from '../i18n/index.js';
import * as f from '../lib/format.js';
import { href, route } from '../state/route.js';
import { frames } from '../state/store.js';
import s from './style.module.css';

function Detail({ frame }: { frame: FrameRecordDto }) {
  const sec = frame.security;
  return (
    <div class="grid" data-testid="frame-detail">
      <div class={s.wide}>
        <HexView blocks={frame.blocks} />
      </div>
      {sec && (
        <div>
          <h2>{t.frames.security}</h2>
          <dl>
            <dt>{t.frames.systemTitle}</dt>
            <dd class="mono">
              {f.hexSpaced(sec.systemTitle)}
              {sec.manufacturer && ` (${sec.manufacturer})`}
            </dd>
            <dt>{t.frames.securityControl}</dt>
            <dd class="mono">0x{sec.securityControl.toString(16).padStart(2, '0').toUpperCase()}</dd>
            <dt>{t.frames.frameCounter}</dt>
            <dd>{f.integer(sec.frameCounter)}</dd>
            <dt>{t.frames.tag}</dt>
            <dd>{t.frames.tagValues[sec.tag]}</dd>
          </dl>
        </div>
      )}
      {frame.tree && (
        <div>
          <h2>{t.frames.tree}</h2>
          <AxdrTree root={frame.tree} />
        </div>
      )}
    </div>
  );
}

/** The translated hint of a code where the language has one (with the backend's detail), else the backend's text. */
function errorLine(error: NonNullable<FrameRecordDto['error']>): string {
  const hint = t.errorHints[error.code];
  if (hint === undefined) return f.errorText(error);
  return error.detail ? `${hint} (${error.detail})` : hint;
}

function FrameRow({ frame, open }: { frame: FrameRecordDto; open: boolean }) {
  return (
    <li class="card" data-frame-id={frame.id} data-ok={String(frame.ok)}>
      <div class={s.bar}>
        <strong>
          #{frame.id} · {f.time(frame.at)}
        </strong>
        <Badge tone={frame.ok ? 'ok' : 'error'}>{frame.ok ? t.frames.ok : t.frames.failed}</Badge>
        {frame.framing && <span class="muted">{frame.framing}</span>}
        <a class={s.end} href={open ? href('frames') : href('frames', frame.id)} aria-expanded={open} data-testid="frame-toggle">
          {open ? t.frames.close : t.frames.open}
        </a>
      </div>
      <div class={s.gap}>
        <StageChips stages={frame.stages} />
      </div>
      {frame.error && (
        <p data-testid="frame-error" class={s.error}>
          <code>{frame.error.code}</code> {errorLine(frame.error)}
        </p>
      )}
      {frame.error?.signature && (
        <p data-testid="frame-signature" class="muted">
          {t.frames.signature}: <code>{frame.error.signature}</code>
        </p>
      )}
      {open && (
        <div class={s.gap}>
          <Detail frame={frame} />
        </div>
      )}
    </li>
  );
}

export function FramesPage() {
  const list = frames.value;
  const openId = route.value.frameId;
  return (
    <>
      <section class={`card ${s.bar}`}>
        <h2>{t.frames.title}</h2>
        <a href={captureUrl()} download="smart-meter-capture.hex" data-testid="capture">
          {t.frames.download}
        </a>
        <span class="muted">{t.frames.downloadNote}</span>
      </section>
      {list.length === 0 ? (
        <p class="card muted">{t.frames.none}</p>
      ) : (
        <ul class={s.list} data-testid="frames">
          {list.map((fr) => (
            <FrameRow key={fr.id} frame={fr} open={fr.id === openId} />
          ))}
        </ul>
      )}
    </>
  );
}
