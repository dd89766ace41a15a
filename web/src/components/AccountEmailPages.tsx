// The pages that the server's emails link to (Mattermost's paths): asking for a password reset, choosing the
// new password from the link, and confirming an email address.
import {useEffect, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {AuthCard, PageLink} from './AuthForms';
import {Field, FormError, useErrorText, useSubmit} from './forms';

/** /reset_password: the server answers the same whether or not the address has an account. */
export function ResetRequestPage() {
    const t = useT();
    const [email, setEmail] = useState('');
    const [sent, setSent] = useState(false);
    const {busy, error, submit} = useSubmit(async () => {
        await client.sendPasswordReset(email.trim());
        setSent(true);
    });
    return (
        <AuthCard subtitle={t('reset.title')} onSubmit={sent ? undefined : submit} footer={<PageLink to="/login" text={t('reset.backToLogin')} />}>
            {sent ? (
                <p role="status">{t('reset.sent', {email: email.trim()})}</p>
            ) : (
                <>
                    <p className="muted">{t('reset.explain')}</p>
                    <Field label={t('signup.email')}>
                        <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
                    </Field>
                    <FormError error={error} />
                    <button type="submit" className="primary" disabled={busy}>
                        {t('reset.send')}
                    </button>
                </>
            )}
        </AuthCard>
    );
}

/** /reset_password_complete?token=…: a new password; every session of the account ends. */
export function ResetCompletePage() {
    const t = useT();
    const [token] = useState(() => new URLSearchParams(location.search).get('token') ?? '');
    const [password, setPassword] = useState('');
    const [repeat, setRepeat] = useState('');
    const [done, setDone] = useState(false);
    const {busy, error, setError, submit} = useSubmit(async () => {
        if (password !== repeat) return setError(t('security.passwordMismatch'));
        await client.resetPassword(token, password);
        setDone(true);
    });
    return (
        <AuthCard subtitle={t('reset.chooseTitle')} onSubmit={done ? undefined : submit} footer={<PageLink to="/login" text={t('reset.backToLogin')} />}>
            {done ? (
                <p role="status">{t('reset.done')}</p>
            ) : (
                <>
                    <Field label={t('security.newPassword')}>
                        <input name="new_password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} maxLength={256} autoFocus />
                    </Field>
                    <Field label={t('security.repeatPassword')}>
                        <input name="repeat_password" type="password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} required />
                    </Field>
                    <FormError error={error} />
                    <button type="submit" className="primary" disabled={busy}>
                        {t('security.changePassword')}
                    </button>
                </>
            )}
        </AuthCard>
    );
}

/** /do_verify_email?token=…: confirms the address as soon as the page opens. */
export function VerifyEmailPage() {
    const t = useT();
    const errorText = useErrorText();
    const [state, setState] = useState<'working' | 'done' | string>('working');
    useEffect(() => {
        const token = new URLSearchParams(location.search).get('token') ?? '';
        client.verifyEmail(token).then(
            () => setState('done'),
            (err) => setState(errorText(err)),
        );
    }, []);
    return (
        <AuthCard subtitle={t('verify.title')} footer={<PageLink to="/" text={t('verify.continue')} />}>
            {state === 'working' ? <p role="status">{t('verify.working')}</p> : state === 'done' ? <p role="status">{t('verify.done')}</p> : <FormError error={state} />}
        </AuthCard>
    );
}
