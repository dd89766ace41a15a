import {type ReactNode, useEffect, useState} from 'react';
import {IntlProvider} from 'react-intl';
import en from './locales/en.json';
import {isRtl} from './locales';

export type Messages = Record<string, string>;

// English is in the main bundle; every other language is its own chunk, loaded when chosen.
const loaders = import.meta.glob<{default: Messages}>(['./locales/*.json', '!./locales/en.json']);

export async function loadMessages(locale: string): Promise<Messages> {
    const load = loaders[`./locales/${locale}.json`];
    if (!load) return en;
    return (await load()).default;
}

export function I18n({locale, children}: {locale: string; children: ReactNode}) {
    const [loaded, setLoaded] = useState<{locale: string; messages: Messages}>({locale: 'en', messages: en});
    useEffect(() => {
        let live = true;
        loadMessages(locale).then((messages) => live && setLoaded({locale, messages}));
        return () => {
            live = false;
        };
    }, [locale]);
    useEffect(() => {
        document.documentElement.lang = loaded.locale;
        document.documentElement.dir = isRtl(loaded.locale) ? 'rtl' : 'ltr';
    }, [loaded.locale]);
    return (
        <IntlProvider locale={loaded.locale} messages={loaded.messages} defaultLocale="en" onError={reportMissing}>
            {children}
        </IntlProvider>
    );
}

function reportMissing(err: {code?: string; message: string}) {
    // A missing translation falls back to English; the locale test keeps that from shipping.
    if (err.code !== 'MISSING_TRANSLATION') console.error(err.message);
}
