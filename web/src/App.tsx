import {useCallback, useEffect, useRef, useState} from 'react';
import {ApiError, client} from './api/client';
import type {User} from './api/types';
import {ResetCompletePage, ResetRequestPage, VerifyEmailPage} from './components/AccountEmailPages';
import {LoginPage, SignupPage} from './components/AuthForms';
import {MfaSetupPage} from './components/MfaSetup';
import {Chat} from './components/Chat';
import {ConfirmHost} from './components/ConfirmDialog';
import {I18n} from './i18n/I18n';
import {matchLocale} from './i18n/locales';
import {ACCOUNT_EMAIL_ROUTES, navigate, parseRoute, usePath} from './router';
import {inviteParams} from './state/accounts';
import {useStore} from './state/store';

// `mfa-setup`: MFA is enforced and the account has none; setting it up is all the server allows until it has.
type Session = {state: 'checking'} | {state: 'anonymous'} | {state: 'signed-in'; me: User} | {state: 'mfa-setup'; me: User};

export function App() {
    const route = parseRoute(usePath());
    const [session, setSession] = useState<Session>({state: 'checking'});
    const liveLocale = useStore((s) => s.me?.locale);
    const next = useRef<string | undefined>(undefined);
    const check = useCallback(async () => {
        try {
            const me = await client.me();
            setSession({state: (await mfaSetupNeeded(me)) ? 'mfa-setup' : 'signed-in', me});
        } catch (err) {
            if (err instanceof ApiError && err.status === 401) setSession({state: 'anonymous'});
            else setTimeout(check, 2000);
        }
    }, []);
    const loggedIn = useCallback(
        (to?: string) => {
            next.current = to;
            void check();
        },
        [check],
    );
    useEffect(() => {
        void check();
    }, [check]);
    useEffect(() => {
        // Like Mattermost: /login?redirect_to=<where you were going>, and back there once signed in.
        if (session.state === 'anonymous' && route.kind !== 'login' && route.kind !== 'signup' && !ACCOUNT_EMAIL_ROUTES.has(route.kind)) {
            const here = location.pathname === '/' ? '' : `?redirect_to=${encodeURIComponent(location.pathname)}`;
            navigate('/login' + here, true);
        }
        if (session.state === 'signed-in' && route.kind === 'signup' && !next.current && inviteParams(location.search).iid) {
            // A signed-in person opening an invite link joins that team (as in Mattermost).
            const iid = inviteParams(location.search).iid!;
            void Promise.all([client.inviteInfo(iid), client.joinByInvite(iid)]).then(
                ([team]) => navigate(`/${team.name}/channels/town-square`, true),
                () => navigate('/', true),
            );
            return;
        }
        if (session.state === 'signed-in' && (route.kind === 'login' || route.kind === 'signup')) {
            const target = next.current ?? new URLSearchParams(location.search).get('redirect_to') ?? '/';
            next.current = undefined;
            navigate(target.startsWith('/') && !target.startsWith('//') ? target : '/', true);
        }
    }, [session.state, route.kind]);
    const locale = 'me' in session ? matchLocale(liveLocale ?? session.me.locale) : matchLocale(navigator.language);
    return (
        <I18n locale={locale}>
            {session.state === 'checking' ? null : route.kind === 'resetRequest' ? (
                <ResetRequestPage />
            ) : route.kind === 'resetComplete' ? (
                <ResetCompletePage />
            ) : route.kind === 'verifyEmail' ? (
                <VerifyEmailPage />
            ) : session.state === 'anonymous' ? (
                route.kind === 'signup' ? (
                    <SignupPage onLoggedIn={loggedIn} />
                ) : (
                    <LoginPage onLoggedIn={loggedIn} />
                )
            ) : session.state === 'mfa-setup' ? (
                <MfaSetupPage me={session.me} onDone={() => loggedIn()} onSignedOut={() => setSession({state: 'anonymous'})} />
            ) : (
                <Chat me={session.me} onSignedOut={() => setSession({state: 'anonymous'})} />
            )}
            <ConfirmHost />
        </I18n>
    );
}

/** MFA is enforced on the server and this password account has none yet. */
async function mfaSetupNeeded(me: User): Promise<boolean> {
    if (me.mfa_active || me.auth_service) return false;
    const config = await client.clientConfig();
    return config.EnforceMultifactorAuthentication === 'true' && config.EnableMultifactorAuthentication === 'true';
}
