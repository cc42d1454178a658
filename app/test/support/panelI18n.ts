/**
 * The panel's translations (ui/src/i18n/en.ts and de.ts) for backend tests. Loaded by URL at run time because the
 * app's TypeScript project ends at app/ (rootDir); vitest transpiles the files like any other.
 */
export interface PanelCodes {
  readonly stages: Record<string, string>;
  readonly errors: Record<string, string>;
  readonly hints: Record<string, string>;
  readonly layers: Record<string, string>;
  readonly blocks: Record<string, string>;
  readonly reasons: Record<string, string>;
  readonly fields: Record<string, string>;
  readonly api: Record<string, string>;
  readonly apiFields: Record<string, string>;
}

export interface PanelMessages {
  readonly codes: PanelCodes;
  readonly health: { readonly readerStatus: { readonly names: Record<string, string>; readonly advice: Record<string, string> } };
  readonly frames: { readonly stages: Record<string, string> };
  readonly history: { readonly problems: Record<string, string> };
}

const EN_URL = new URL('../../../ui/src/i18n/en.ts', import.meta.url).href;
const DE_URL = new URL('../../../ui/src/i18n/de.ts', import.meta.url).href;

export async function panelMessages(): Promise<{ en: PanelMessages; de: PanelMessages }> {
  const [{ en }, { de }] = (await Promise.all([import(EN_URL), import(DE_URL)])) as [{ en: PanelMessages }, { de: PanelMessages }];
  return { en, de };
}
