import { Badge, type Tone } from './components/badge/index.js';
import { MeterSwitcher } from './components/meter-switcher/index.js';
import { StatusLine, toneOfStatus } from './components/status-line/index.js';
import { TAB_PANEL_ID, tabId, Tabs } from './components/tabs/index.js';
import { t } from './i18n/index.js';
import { FramesPage } from './pages/frames.js';
import { HealthPage } from './pages/health.js';
import { HistoryPage } from './pages/history.js';
import { LivePage } from './pages/live.js';
import { route } from './state/route.js';
import { decoding, stale } from './state/freshness.js';
import { connection, health, live, meterName } from './state/store.js';
import s from './app.module.css';

/**
 * The header badge: green "Live" only while pushes arrive and decode; otherwise the reader status (wrong key, no
 * data …) or the connection state, never green.
 */
function liveBadge(): { tone: Tone; text: string } {
  if (connection.value !== 'open') return { tone: connection.value === 'closed' ? 'error' : 'warn', text: t.conn[connection.value] };
  if (decoding.value) return { tone: 'ok', text: t.conn.open };
  const status = health.value?.status.id;
  if (!status) return { tone: 'warn', text: t.conn.connecting };
  if (status === 'ok' || status === 'broker') return { tone: 'warn', text: stale.value ? t.conn.stale : t.health.readerStatus.names.starting };
  const tone = toneOfStatus(status);
  return { tone: tone === 'ok' ? 'info' : tone, text: t.health.readerStatus.names[status] };
}

/** Shell: header with meter name and connection badge, tabs, and the page of the current hash route. */
export function App() {
  const tab = route.value.tab;
  const maker = live.value?.meter?.manufacturer;
  const badge = liveBadge();
  return (
    <>
      <header class={s.header}>
        <div class={s.title}>
          <h1 class={s.name} data-testid="meter-name">{meterName.value ?? t.appTitle}</h1>
          {maker && <span class={s.maker}>{maker}</span>}
          {/* A live region: screen readers announce "Connection to the add-on: Offline" when it changes. */}
          <span class={s.conn} role="status" data-testid="connection" data-state={connection.value}>
            <span class="visually-hidden">{t.a11y.connection}: </span>
            <Badge tone={badge.tone}>{badge.text}</Badge>
          </span>
        </div>
        <MeterSwitcher />
        <Tabs />
      </header>
      <main data-page={tab}>
        <div class={s.panel} role="tabpanel" id={TAB_PANEL_ID} aria-labelledby={tabId(tab)} tabIndex={0}>
          {/* above every page, inside the tab panel: Tab goes from the tab list into the panel (WAI-ARIA tabs) */}
          <StatusLine />
          {tab === 'live' ? <LivePage /> : tab === 'history' ? <HistoryPage /> : tab === 'frames' ? <FramesPage /> : <HealthPage />}
        </div>
      </main>
      <footer class={s.footer}>{t.footerNoKey}</footer>
    </>
  );
}
