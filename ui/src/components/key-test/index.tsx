import { Badge } from '../badge/index.js';
import { t } from '../../i18n/index.js';
import * as f from '../../lib/format.js';
import { keyTestBusy, keyTestResult, runKeyTest } from '../../state/keyTest.js';
import s from './style.module.css';

/**
 * "Test a key against the last captured push" (users.md pain point 1): names the failing stage, or confirms
 * the key. The fields are cleared right after sending; the key is never shown or kept.
 */
export function KeyTest() {
  const onSubmit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const key = (form.elements.namedItem('key') as HTMLInputElement).value;
    const authKey = (form.elements.namedItem('authKey') as HTMLInputElement).value;
    form.reset();
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
        <p class={s.result} data-testid="key-test-result" data-ok={r.kind === 'result' && r.result.ok ? 'true' : 'false'}>
          {r.kind === 'invalid' ? (
            <>
              <Badge tone="warn">{t.keyTest.invalid}</Badge> {r.message}
            </>
          ) : !r.result.tested ? (
            <span class="muted">{t.keyTest.nothing}</span>
          ) : r.result.ok ? (
            <>
              <Badge tone="ok">{t.keyTest.works}</Badge> {t.keyTest.values(r.result.values)}
              {r.result.meterId ? ` · ${r.result.meterId}` : ''}
            </>
          ) : (
            <>
              <Badge tone="error">{r.result.error?.code ?? t.keyTest.fails}</Badge> {r.result.error ? f.errorText(r.result.error) : r.result.message}
            </>
          )}
        </p>
      )}
    </section>
  );
}
