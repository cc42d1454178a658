import { de } from './de.js';
import { en, type Messages } from './en.js';

export type Lang = 'en' | 'de';

/** `?lang=de|en` wins (tests, support), otherwise the browser language. */
export function detectLang(search: string, language: string): Lang {
  const q = new URLSearchParams(search).get('lang');
  if (q === 'de' || q === 'en') return q;
  return language.toLowerCase().startsWith('de') ? 'de' : 'en';
}

export const lang: Lang = detectLang(location.search, navigator.language);
/** The labels of the current language. */
export const t: Messages = lang === 'de' ? de : en;
document.documentElement.lang = lang;
