// The languages the client ships. Codes are what the server stores in the user's `locale` (at most 5 characters,
// Mattermost's spelling: pt-BR, zh-CN).
export interface LocaleInfo {
    code: string;
    name: string; // the language's own name
    rtl?: boolean;
}

export const LOCALES: LocaleInfo[] = [
    {code: 'en', name: 'English'},
    {code: 'ar', name: 'العربية', rtl: true},
    {code: 'de', name: 'Deutsch'},
    {code: 'es', name: 'Español'},
    {code: 'fr', name: 'Français'},
    {code: 'he', name: 'עברית', rtl: true},
    {code: 'hi', name: 'हिन्दी'},
    {code: 'hr', name: 'Hrvatski'},
    {code: 'id', name: 'Bahasa Indonesia'},
    {code: 'it', name: 'Italiano'},
    {code: 'ja', name: '日本語'},
    {code: 'pl', name: 'Polski'},
    {code: 'pt-BR', name: 'Português (Brasil)'},
    {code: 'ru', name: 'Русский'},
    {code: 'uk', name: 'Українська'},
    {code: 'zh-CN', name: '中文 (简体)'},
];

/** The shipped locale closest to a requested one ('pt' → 'pt-BR', 'de-AT' → 'de'), else English. */
export function matchLocale(requested: string | undefined | null): string {
    if (!requested) return 'en';
    const lower = requested.toLowerCase();
    const exact = LOCALES.find((l) => l.code.toLowerCase() === lower);
    if (exact) return exact.code;
    const base = lower.split(/[-_]/)[0];
    return LOCALES.find((l) => l.code.toLowerCase().split('-')[0] === base)?.code ?? 'en';
}

export function isRtl(code: string): boolean {
    return LOCALES.some((l) => l.code === code && l.rtl);
}
