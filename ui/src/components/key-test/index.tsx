import { Badge } from '../badge/index.js';
import { t } from '../../i18n/index.js';
import { apiErrorSentence, errorSentence, fill, stageName } from '../../i18n/render.js';
import { keyTestBusy, keyTestResult, runKeyTest } from '../../state/keyTest.js';
import s from './style.module.css';

/**
 * "Test a key against the last captured push" (users.md pain point 1): names the layer that fails and why, or
 * confirms the key. The (password) fields keep what was typed, so a typo can be fixed; the key is never shown,
 * stored or sent anywhere but this one request.
 */
export function KeyTest() {
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const key = (form.elements.namedItem('key') as HTMLInputElement).value;
    const authKey = (form.elements.namedItem('authKey') as HTMLInputElement).value;
    void runKeyTest(key, authKey);
  };
  const r = keyTestResult.value;
  return (
    <section class="card" data-testid="key-test">
      <h2>{t.keyTest.title}</h2>
      <p class={`muted ${s.intro}`}>{t.keyTest.intro}</p>
      <form class={s.form} onSubmit={onSubmit} autocomplete="off">
        <label>
          {t.keyTest.key}
          <input name="key" type="password" required spellcheck={false} autocomplete="off" />
        </label>
        <label>
          {t.keyTest.authKey}
          <input name="authKey" type="password" spellcheck={false} autocomplete="off" />
        </label>
        <button type="submit" disabled={keyTestBusy.value}>
          {keyTestBusy.value ? t.keyTest.testing : t.keyTest.test}
        </button>
      </form>
      {r && (
        <p
          class={s.result}
          data-testid="key-test-result"
          data-ok={r.kind === 'result' && r.result.ok ? 'true' : 'false'}
          data-code={r.kind === 'invalid' ? r.code : (r.result.error?.code ?? undefined)}
          data-layer={r.kind === 'result' ? (r.result.error?.stage ?? undefined) : undefined}
          role="status"
        >
          {r.kind === 'invalid' ? (
            <>
              <Badge tone="warn">{t.keyTest.invalid}</Badge> {apiErrorSentence(r.code, r.params)}
            </>
          ) : !r.result.tested ? (
            <span class="muted">{t.keyTest.nothing}</span>
          ) : r.result.ok ? (
            <>
              <Badge tone="ok">{t.keyTest.works}</Badge> {t.keyTest.values(r.result.values)}
              {r.result.meterId ? ` · ${r.result.meterId}` : ''}
            </>
          ) : r.result.error ? (
            <>
              <Badge tone="error">{fill(t.keyTest.failedAt, { layer: stageName(r.result.error.stage) })}</Badge> <code>{r.result.error.code}</code>{' '}
              {errorSentence(r.result.error)}
            </>
          ) : (
            <Badge tone="error">{t.keyTest.fails}</Badge>
          )}
        </p>
      )}
    </section>
  );
}
