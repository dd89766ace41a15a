import {type FormEvent, type ReactNode, useEffect, useState} from 'react';
import {ApiError, client} from '../api/client';
import type {InviteInfo} from '../api/types';
import {useT} from '../i18n/useT';
import {CodeOfConductNote} from '../moderation/CodeOfConduct';
import {navigate} from '../router';
import {inviteParams, MFA_NEEDED} from '../state/accounts';
import {Field, FormError, useErrorText, useSubmit} from './forms';

/** `next`: where to go once signed in (the team an invite link joined), instead of the redirect_to. */
export type OnLoggedIn = (next?: string) => void;

/** The signed-out pages' card: the brand, a subtitle, the content and a link to the other page. The card is
 * the form when given `onSubmit`; otherwise its content brings its own forms. */
export function AuthCard({subtitle, onSubmit, children, footer}: {subtitle: ReactNode; onSubmit?: (e: FormEvent) => void; children: ReactNode; footer?: ReactNode}) {
    const Card = onSubmit ? 'form' : 'section';
    return (
        <main className="auth">
            <Card className="auth-card" onSubmit={onSubmit} aria-labelledby="auth-title">
                <h1 id="auth-title" className="brand">
                    Kafana
                </h1>
                <p className="auth-sub">{subtitle}</p>
                {children}
                {footer && <p>{footer}</p>}
            </Card>
        </main>
    );
}

export function PageLink({to, text}: {to: string; text: string}) {
    return (
        <a href={to} onClick={(e) => (e.preventDefault(), navigate(to))}>
            {text}
        </a>
    );
}

export function LoginPage({onLoggedIn}: {onLoggedIn: OnLoggedIn}) {
    const t = useT();
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    // After a right password, accounts with two-factor authentication are asked for a code and log in again.
    const [askCode, setAskCode] = useState(false);
    const [code, setCode] = useState('');
    const {busy, error, submit} = useSubmit(async () => {
        try {
            await client.login(loginId.trim(), password, askCode ? code.trim() : '');
        } catch (err) {
            if (err instanceof ApiError && err.id === MFA_NEEDED && !askCode) {
                setAskCode(true);
                return;
            }
            throw err;
        }
        onLoggedIn();
    });
    if (askCode)
        return (
            <AuthCard subtitle={t('mfa.loginTitle')} onSubmit={submit}>
                <p className="muted">{t('mfa.loginHint')}</p>
                <Field label={t('mfa.code')}>
                    <input name="token" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus maxLength={32} />
                </Field>
                <FormError error={error} />
                <button type="submit" className="primary" disabled={busy}>
                    {t(busy ? 'login.submitting' : 'login.submit')}
                </button>
                <button type="button" className="link-button" onClick={() => (setAskCode(false), setCode(''))}>
                    {t('common.back')}
                </button>
            </AuthCard>
        );
    return (
        <AuthCard subtitle={t('login.title')} onSubmit={submit} footer={<>{t('login.noAccount')} <PageLink to="/signup" text={t('login.signupLink')} /></>}>
            <Field label={t('login.loginId')}>
                <input name="login_id" autoComplete="username" value={loginId} onChange={(e) => setLoginId(e.target.value)} required autoFocus />
            </Field>
            <Field label={t('login.password')}>
                <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </Field>
            <PageLink to="/reset_password" text={t('reset.forgot')} />
            <FormError error={error} />
            <button type="submit" className="primary" disabled={busy}>
                {t(busy ? 'login.submitting' : 'login.submit')}
            </button>
        </AuthCard>
    );
}

/** Sign-up, also from an invite link (`/signup_user_complete/?id=…`): the new account joins that team. */
export function SignupPage({onLoggedIn}: {onLoggedIn: OnLoggedIn}) {
    const t = useT();
    const errorText = useErrorText();
    const [invite] = useState(() => inviteParams(location.search));
    const [team, setTeam] = useState<InviteInfo | null>(null);
    const [inviteError, setInviteError] = useState('');
    const [email, setEmail] = useState('');
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    useEffect(() => {
        if (invite.iid) client.inviteInfo(invite.iid).then(setTeam, (err) => setInviteError(errorText(err)));
    }, [invite.iid]);
    const {busy, error, submit} = useSubmit(async () => {
        const name = username.trim().toLowerCase();
        await client.createUser({email: email.trim(), username: name, password}, invite);
        await client.login(name, password);
        onLoggedIn(team ? `/${team.name}/channels/town-square` : undefined);
    });
    const subtitle = team ? t('signup.joinTeam', {team: team.display_name}) : t('signup.title');
    return (
        <AuthCard subtitle={subtitle} onSubmit={submit} footer={<>{t('signup.haveAccount')} <PageLink to="/login" text={t('signup.loginLink')} /></>}>
            <FormError error={inviteError} />
            <Field label={t('signup.email')}>
                <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
            </Field>
            <Field label={t('signup.username')}>
                <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
            </Field>
            <Field label={t('login.password')}>
                <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} maxLength={256} />
            </Field>
            <FormError error={error} />
            <CodeOfConductNote />
            <button type="submit" className="primary" disabled={busy}>
                {t('signup.submit')}
            </button>
        </AuthCard>
    );
}
