import { href, route, type Tab } from '../../state/route.js';
import { t } from '../../i18n/index.js';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

const TABS: readonly Tab[] = ['live', 'history', 'frames', 'health'];

/** id of the tab element and of the panel it controls (app.tsx renders the panel). */
export const tabId = (tab: Tab): string => `tab-${tab}`;
export const TAB_PANEL_ID = 'tabpanel';

/**
 * Live | History | Frames | Health, following the WAI-ARIA tabs pattern (https://www.w3.org/WAI/ARIA/apg/patterns/tabs/):
 * one tab stop (roving tabindex: only the selected tab has tabindex 0), ArrowLeft/ArrowRight move between tabs and
 * wrap, Home/End jump to the first/last, activation follows focus. The tabs stay hash links, so a tab opens in a
 * new browser tab and the route (state/route.ts) remains the single source of the selection.
 */
export function Tabs() {
  const current = route.value.tab;
  const onKeyDown = (e: KeyboardEvent) => {
    const at = TABS.indexOf(current);
    const next =
      e.key === 'ArrowRight' ? TABS[(at + 1) % TABS.length]
      : e.key === 'ArrowLeft' ? TABS[(at - 1 + TABS.length) % TABS.length]
      : e.key === 'Home' ? TABS[0]
      : e.key === 'End' ? TABS[TABS.length - 1]
      : undefined;
    if (next === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    location.hash = href(next);
    document.getElementById(tabId(next))?.focus();
  };
  return (
    <nav class={s.nav} aria-label={t.a11y.pages}>
      <div class={s.tabs} role="tablist" onKeyDown={onKeyDown}>
        {TABS.map((tab) => (
          <a
            key={tab}
            id={tabId(tab)}
            role="tab"
            href={href(tab)}
            aria-selected={tab === current}
            aria-controls={TAB_PANEL_ID}
            tabIndex={tab === current ? 0 : -1}
            class={cx(s.tab, tab === current && s.active)}
            data-tab={tab}
          >
            {t.tabs[tab]}
          </a>
        ))}
      </div>
    </nav>
  );
}
