/**
 * Light or dark, and Home Assistant's colours when the panel runs inside it.
 *
 * Inside Home Assistant the panel is an iframe on the same origin as the frontend (ingress serves it under
 * the ingress path (api/hassio_ingress/<token>/); home-assistant/frontend `hassio/src/ingress-view/hassio-ingress-view.ts` renders a
 * plain, unsandboxed `<iframe src=ingress_url>` and itself reads its `contentDocument`), so the panel can read the
 * parent document. The frontend applies the theme the user picked
 * (default, dark mode, or a custom theme) as CSS custom properties on its `document.documentElement`
 * (home-assistant/frontend `src/state/themes-mixin.ts`: `applyThemesOnElement(document.documentElement, …)`, then
 * `hass.themes.darkMode` and `<meta name="color-scheme">`). We read the computed values of the variables below from
 * there and copy them onto our own tokens (style/global.css), and follow changes with a MutationObserver. This is the
 * approach other ingress panels take (reading `getComputedStyle(window.parent.document.documentElement)`); it needs
 * no API and degrades to the OS preference when the parent is not Home Assistant (direct access, another origin).
 *
 * Dark or light is taken from the luminance of the theme's background (what we actually draw on), then from
 * `hass.themes.darkMode`, then from `prefers-color-scheme`. A custom theme may pair colours badly, so each foreground
 * we take over is checked against the backgrounds and moved toward black or white until it reaches WCAG AA (4.5:1).
 */

type Rgb = readonly [number, number, number];
type Mode = 'light' | 'dark';

/** Home Assistant variable → our token. Foregrounds are contrast-checked against the backgrounds afterwards. */
const FROM_HA: Record<string, string> = {
  '--primary-background-color': '--bg',
  '--card-background-color': '--card',
  '--primary-text-color': '--text',
  '--secondary-text-color': '--text2',
  '--divider-color': '--line',
  '--primary-color': '--primary',
  '--app-header-background-color': '--header-bg',
  '--app-header-text-color': '--header-text',
};

/** Tokens drawn as text on --bg and --card. */
const FOREGROUNDS = ['--text', '--text2', '--primary', '--ok', '--warn', '--err', '--off', '--import', '--export'];
const AA = 4.5;
const dark = matchMedia('(prefers-color-scheme: dark)');

const channel = (c: number): number => {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
};
/** WCAG 2 relative luminance. */
const luminance = ([r, g, b]: Rgb): number => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
export const contrast = (a: Rgb, b: Rgb): number => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
};
const hex = (c: Rgb): string => `#${c.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

let probe: HTMLElement | undefined;
/** Any CSS colour → opaque sRGB via the browser's own parser; null for transparent or unparsable values. */
function parseColor(value: string): Rgb | null {
  if (!value) return null;
  probe ??= document.head.appendChild(document.createElement('meta'));
  probe.style.color = '';
  probe.style.color = value;
  if (!probe.style.color) return null;
  const m = /^rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)$/.exec(getComputedStyle(probe).color);
  if (!m || (m[4] !== undefined && parseFloat(m[4]) < (m[4].endsWith('%') ? 100 : 1))) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `fg`, moved toward black or white (whichever `bgs` allow) until it reaches AA on every background. */
export function readable(fg: Rgb, bgs: readonly Rgb[]): Rgb {
  const worst = (c: Rgb) => Math.min(...bgs.map((b) => contrast(c, b)));
  if (worst(fg) >= AA) return fg;
  const towards: Rgb = worst([255, 255, 255]) > worst([0, 0, 0]) ? [255, 255, 255] : [0, 0, 0];
  let best = fg;
  for (let k = 0.1; k <= 1.0001; k += 0.1) {
    best = fg.map((v, i) => v + (towards[i]! - v) * k) as unknown as Rgb;
    if (worst(best) >= AA) break;
  }
  return best;
}

/** Home Assistant's theme variables from the parent document, or null when there is no readable HA parent. */
function haTheme(): { vars: Map<string, Rgb>; darkMode: boolean | undefined; root: HTMLElement } | null {
  try {
    if (window.parent === window) return null;
    const doc = window.parent.document; // throws on another origin
    const css = window.parent.getComputedStyle(doc.documentElement);
    const vars = new Map<string, Rgb>();
    for (const name of Object.keys(FROM_HA)) {
      const c = parseColor(css.getPropertyValue(name).trim());
      if (c) vars.set(name, c);
    }
    if (!vars.has('--primary-background-color')) return null;
    const hass = (doc.querySelector('home-assistant') as (Element & { hass?: { themes?: { darkMode?: unknown } } }) | null)?.hass;
    const flag = hass?.themes?.darkMode;
    return { vars, darkMode: typeof flag === 'boolean' ? flag : undefined, root: doc.documentElement };
  } catch {
    return null;
  }
}

/** Reads the current theme and applies it to <html>: data-theme, data-theme-source and the copied colours. */
export function applyTheme(): Mode {
  const root = document.documentElement;
  const ha = haTheme();
  for (const token of Object.values(FROM_HA).concat(FOREGROUNDS, '--on-primary')) root.style.removeProperty(token);
  if (!ha) {
    const mode: Mode = dark.matches ? 'dark' : 'light';
    root.dataset.theme = mode;
    root.dataset.themeSource = 'os';
    return mode;
  }
  const bgLum = luminance(ha.vars.get('--primary-background-color')!);
  const mode: Mode = bgLum < 0.18 ? 'dark' : bgLum > 0.4 ? 'light' : ha.darkMode ? 'dark' : 'light';
  root.dataset.theme = mode;
  root.dataset.themeSource = 'home-assistant';
  for (const [name, rgb] of ha.vars) root.style.setProperty(FROM_HA[name]!, hex(rgb));

  // Contrast guard over the mode's palette with HA's colours on top.
  const css = getComputedStyle(root);
  const get = (token: string): Rgb | null => parseColor(css.getPropertyValue(token).trim());
  const bgs = [get('--bg'), get('--card')].filter((c): c is Rgb => c !== null);
  for (const token of FOREGROUNDS) {
    const c = get(token);
    if (c) root.style.setProperty(token, hex(readable(c, bgs)));
  }
  const primary = get('--primary');
  if (primary) root.style.setProperty('--on-primary', contrast(primary, [255, 255, 255]) >= contrast(primary, [17, 17, 17]) ? '#fff' : '#111');
  // A theme that sets a header background but no header text colour: take whichever of white and the theme's text
  // reads better on it. Then the header keeps its text colour; its background is deepened or lightened until it reads.
  const headerBg = get('--header-bg');
  const text = get('--text');
  if (headerBg && text && ha.vars.has('--app-header-background-color') && !ha.vars.has('--app-header-text-color')) {
    // (HA's own ingress header uses `var(--app-header-text-color, white)`.)
    root.style.setProperty('--header-text', contrast(text, headerBg) > contrast([255, 255, 255], headerBg) ? hex(text) : '#fff');
  }
  const headerText = get('--header-text');
  if (headerText && headerBg && contrast(headerText, headerBg) < AA) {
    root.style.setProperty('--header-bg', hex(readable(headerBg, [headerText])));
  }
  return mode;
}

/** Applies the theme now and whenever Home Assistant's theme or the OS preference changes. */
export function followTheme(): void {
  applyTheme();
  dark.addEventListener('change', () => applyTheme());
  try {
    const parentRoot = window.parent !== window ? window.parent.document.documentElement : null;
    if (parentRoot) {
      let queued = false;
      new MutationObserver(() => {
        if (queued) return;
        queued = true;
        requestAnimationFrame(() => {
          queued = false;
          applyTheme();
        });
      }).observe(parentRoot, { attributes: true, attributeFilter: ['style', 'class'] });
    }
  } catch {
    // another origin: the OS preference is all we have
  }
}
