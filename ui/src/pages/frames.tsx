import { useEffect } from 'preact/hooks';
import { captureUrl } from '../api/client.js';
import type { ErrorDto, FrameRecordDto, FrameSummaryDto } from '../api/contract.js';
import { AxdrTree } from '../components/axdr-tree/index.js';
import { Badge } from '../components/badge/index.js';
import { FrameActions, PauseToggle, PinToggle } from '../components/frame-tools/index.js';
import { HexView } from '../components/hex-view/index.js';
import { StageChips } from '../components/stage-chips/index.js';
import { t } from '../i18n/index.js';
import { errorSentence, fill, technicalDetail } from '../i18n/render.js';
import * as f from '../lib/format.js';
import { details, loadDetail } from '../state/frameDetails.js';
import { href, route } from '../state/route.js';
import { pinned, shownFrames } from '../state/store.js';
import s from './style.module.css';

function Detail({ frame }: { frame: FrameRecordDto }) {
  const sec = frame.security;
  return (
    <div class="grid" data-testid="frame-detail">
      <div class={s.wide}>
        <FrameActions frame={frame} />
      </div>
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

/** The details of an opened (or pinned) push, loaded over HTTP on first use. */
function DetailLoader({ id }: { id: number }) {
  useEffect(() => loadDetail(id), [id]);
  const d = details.value.get(id);
  if (d === undefined || d === 'loading') return <p class="muted">{t.inspector.loading}</p>;
  if (d === 'gone' || d === 'error') return <p class="muted" data-testid="frame-gone">{t.inspector.gone}</p>;
  return <Detail frame={d} />;
}

/** The translated cause of a failed push; the decoder's technical detail folded away below it. */
function ErrorLine({ error }: { error: ErrorDto }) {
  return (
    <>
      <p data-testid="frame-error" class={s.error} data-code={error.code}>
        <code>{error.code}</code> {errorSentence(error)}
      </p>
      {error.detail && (
        <details class="muted">
          <summary>{t.inspector.technical}</summary>
          <code lang="en" translate={false}>
            {technicalDetail(error)}
          </code>
        </details>
      )}
    </>
  );
}

function FrameRow({ frame, open }: { frame: FrameSummaryDto; open: boolean }) {
  const isPinned = pinned.value.has(frame.id);
  return (
    <li class="card" data-frame-id={frame.id} data-ok={String(frame.ok)} data-pinned={isPinned ? 'true' : undefined}>
      <div class={s.bar}>
        <strong>
          #{frame.id} · {f.time(frame.at)}
        </strong>
        <Badge tone={frame.ok ? 'ok' : 'error'}>{frame.ok ? t.frames.ok : t.frames.failed}</Badge>
        {frame.framing && <span class="muted">{frame.framing}</span>}
        <span class="muted">{fill(t.inspector.size, { bytes: frame.size })}</span>
        {isPinned && <Badge tone="info">{t.inspector.pinned}</Badge>}
        <span class={s.end}>
          <PinToggle frame={frame} />{' '}
          <a href={open ? href('frames') : href('frames', frame.id)} aria-expanded={open} data-testid="frame-toggle">
            {open ? t.frames.close : t.frames.open}
          </a>
        </span>
      </div>
      <div class={s.gap}>
        <StageChips stages={frame.stages} />
      </div>
      {frame.error && <ErrorLine error={frame.error} />}
      {frame.error?.signature && (
        <p data-testid="frame-signature" class="muted">
          {t.frames.signature}: <code>{frame.error.signature}</code>
        </p>
      )}
      {open && (
        <div class={s.gap}>
          <DetailLoader id={frame.id} />
        </div>
      )}
    </li>
  );
}

export function FramesPage() {
  const list = shownFrames.value;
  const openId = route.value.frameId;
  return (
    <>
      <section class={`card ${s.bar}`}>
        <h2>{t.frames.title}</h2>
        <PauseToggle />
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
