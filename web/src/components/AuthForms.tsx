import {type FormEvent, useState} from 'react';
import {FormattedMessage, useIntl} from 'react-intl';
import {ApiError, client} from '../api/client';
import {navigate} from '../router';
import {CodeOfConductNote} from '../moderation/CodeOfConduct';

/** Server errors in words: known ids get a translated sentence, others the server's own message. */
export function useErrorText() {
    const intl = useIntl();
    return (err: unknown): string => {
        if (err instanceof ApiError) {
            const key = 'error.' + err.id;
            if (intl.messages[key]) return intl.formatMessage({id: key});
            return err.message;
        }
        return intl.formatMessage({id: 'error.network'});
    };
}

export function LoginPage({onLoggedIn}: {onLoggedIn: () => void}) {
    const intl = useIntl();
    const errorText = useErrorText();
    const [loginId, setLoginId] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.login(loginId.trim(), password);
            onLoggedIn();
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <main className="auth">
            <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title">
                <h1 id="auth-title" className="brand">Kafana</h1>
                <p className="auth-sub">
                    <FormattedMessage id="login.title" />
                </p>
                <label>
                    <FormattedMessage id="login.loginId" />
                    <input name="login_id" autoComplete="username" value={loginId} onChange={(e) => setLoginId(e.target.value)} required autoFocus />
                </label>
                <label>
                    <FormattedMessage id="login.password" />
                    <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
                </label>
                {error && (
                    <p className="form-error" role="alert">
                        {error}
                    </p>
                )}
                <button type="submit" className="primary" disabled={busy}>
                    {intl.formatMessage({id: busy ? 'login.submitting' : 'login.submit'})}
                </button>
                <p>
                    <FormattedMessage id="login.noAccount" />{' '}
                    <a href="/signup" onClick={(e) => (e.preventDefault(), navigate('/signup'))}>
                        <FormattedMessage id="login.signupLink" />
                    </a>
                </p>
            </form>
        </main>
    );
}

export function SignupPage({onLoggedIn}: {onLoggedIn: () => void}) {
    const errorText = useErrorText();
    const [email, setEmail] = useState('');
    const [username, setUsername] = useState('');
    const [password, setPassword] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async (e: FormEvent) => {
        e.preventDefault();
        setBusy(true);
        setError('');
        try {
            await client.createUser({email: email.trim(), username: username.trim().toLowerCase(), password});
            await client.login(username.trim().toLowerCase(), password);
            onLoggedIn();
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };
    return (
        <main className="auth">
            <form className="auth-card" onSubmit={submit} aria-labelledby="auth-title">
                <h1 id="auth-title" className="brand">Kafana</h1>
                <p className="auth-sub">
                    <FormattedMessage id="signup.title" />
                </p>
                <label>
                    <FormattedMessage id="signup.email" />
                    <input name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
                </label>
                <label>
                    <FormattedMessage id="signup.username" />
                    <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
                </label>
                <label>
                    <FormattedMessage id="login.password" />
                    <input name="password" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={5} />
                </label>
                {error && (
                    <p className="form-error" role="alert">
                        {error}
                    </p>
                )}
                <CodeOfConductNote />
                <button type="submit" className="primary" disabled={busy}>
                    <FormattedMessage id="signup.submit" />
                </button>
                <p>
                    <FormattedMessage id="signup.haveAccount" />{' '}
                    <a href="/login" onClick={(e) => (e.preventDefault(), navigate('/login'))}>
                        <FormattedMessage id="signup.loginLink" />
                    </a>
                </p>
            </form>
        </main>
    );
}
