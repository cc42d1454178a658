import { href, route, type Tab } from '../../state/route.js';
import { t } from '../../i18n/index.js';
import { cx } from '../../lib/cx.js';
import s from './style.module.css';

const TABS: readonly Tab[] = ['live', 'history', 'frames', 'health'];

/** Live | History | Frames | Health, as hash links. */
export function Tabs() {
  const current = route.value.tab;
  return (
    <nav class={s.tabs} role="tablist">
      {TABS.map((tab) => (
        <a
          key={tab}
          role="tab"
          href={href(tab)}
          aria-selected={tab === current}
          class={cx(s.tab, tab === current && s.active)}
          data-tab={tab}
        >
          {t.tabs[tab]}
        </a>
      ))}
    </nav>
  );
}
