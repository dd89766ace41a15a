import {useCallback, useEffect, useState} from 'react';
import {ApiError, client} from './api/client';
import type {User} from './api/types';
import {LoginPage, SignupPage} from './components/AuthForms';
import {Chat} from './components/Chat';
import {I18n} from './i18n/I18n';
import {matchLocale} from './i18n/locales';
import {navigate, parseRoute, usePath} from './router';
import {useStore} from './state/store';

type Session = {state: 'checking'} | {state: 'anonymous'} | {state: 'signed-in'; me: User};

export function App() {
    const route = parseRoute(usePath());
    const [session, setSession] = useState<Session>({state: 'checking'});
    const liveLocale = useStore((s) => s.me?.locale);
    const check = useCallback(async () => {
        try {
            setSession({state: 'signed-in', me: await client.me()});
        } catch (err) {
            if (err instanceof ApiError && err.status === 401) setSession({state: 'anonymous'});
            else setTimeout(check, 2000);
        }
    }, []);
    useEffect(() => {
        void check();
    }, [check]);
    useEffect(() => {
        // Like Mattermost: /login?redirect_to=<where you were going>, and back there once signed in.
        if (session.state === 'anonymous' && route.kind !== 'login' && route.kind !== 'signup') {
            const here = location.pathname === '/' ? '' : `?redirect_to=${encodeURIComponent(location.pathname)}`;
            navigate('/login' + here, true);
        }
        if (session.state === 'signed-in' && (route.kind === 'login' || route.kind === 'signup')) {
            const target = new URLSearchParams(location.search).get('redirect_to') ?? '/';
            navigate(target.startsWith('/') && !target.startsWith('//') ? target : '/', true);
        }
    }, [session.state, route.kind]);
    const locale = session.state === 'signed-in' ? matchLocale(liveLocale ?? session.me.locale) : matchLocale(navigator.language);
    return (
        <I18n locale={locale}>
            {session.state === 'checking' ? null : session.state === 'anonymous' ? (
                route.kind === 'signup' ? (
                    <SignupPage onLoggedIn={check} />
                ) : (
                    <LoginPage onLoggedIn={check} />
                )
            ) : (
                <Chat me={session.me} onSignedOut={() => setSession({state: 'anonymous'})} />
            )}
        </I18n>
    );
}
