import {useState} from 'react';
import {client} from '../api/client';
import type {User} from '../api/types';
import {useT} from '../i18n/useT';
import {logout} from '../state/actions';
import {navigate} from '../router';
import {AuthCard} from './AuthForms';
import {Field, FormError, useAction, useSubmit} from './forms';

/** Turning two-factor authentication on: the server's secret as a QR code (and as text, for typing in), a code
 * from the app to confirm it, then the recovery codes, shown this once. */
export function MfaSetup({me, onActivated}: {me: User; onActivated: () => void}) {
    const t = useT();
    const [secret, setSecret] = useState<{secret: string; qr_code: string} | null>(null);
    const [code, setCode] = useState('');
    const [recovery, setRecovery] = useState<string[] | null>(null);
    const start = useAction(async () => setSecret(await client.generateMfa(me.id)));
    const confirm = useSubmit(async () => setRecovery((await client.activateMfa(me.id, code.trim())).recovery_codes));
    if (recovery)
        return (
            <div className="mfa-setup">
                <p role="status">{t('mfa.on')}</p>
                <p>{t('mfa.recoveryHint')}</p>
                <ul className="recovery-codes" aria-label={t('mfa.recoveryCodes')}>
                    {recovery.map((c) => (
                        <li key={c}>
                            <code>{c}</code>
                        </li>
                    ))}
                </ul>
                <button type="button" className="primary" onClick={onActivated}>
                    {t('mfa.savedCodes')}
                </button>
            </div>
        );
    if (!secret)
        return (
            <div className="mfa-setup">
                <p>{t('mfa.explain')}</p>
                <FormError error={start.error} />
                <button type="button" className="primary" onClick={() => start.run()} disabled={start.busy}>
                    {t('mfa.setUp')}
                </button>
            </div>
        );
    return (
        <form className="form mfa-setup" onSubmit={confirm.submit}>
            <p>{t('mfa.scan')}</p>
            <img className="mfa-qr" src={'data:image/png;base64,' + secret.qr_code} alt={t('mfa.qrAlt')} width={200} height={200} />
            <p>
                {t('mfa.secretText')} <code className="mfa-secret">{secret.secret}</code>
            </p>
            <Field label={t('mfa.code')}>
                <input name="mfa_code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={8} />
            </Field>
            <FormError error={confirm.error} />
            <button type="submit" className="primary" disabled={confirm.busy}>
                {t('mfa.confirm')}
            </button>
        </form>
    );
}

/** Turning it off: the owner proves it again with a current code or a recovery code. */
export function MfaTurnOff({me, onOff}: {me: User; onOff: () => void}) {
    const t = useT();
    const [code, setCode] = useState('');
    const off = useSubmit(async () => {
        await client.deactivateMfa(me.id, code.trim());
        onOff();
    });
    return (
        <form className="form" onSubmit={off.submit}>
            <p role="status">{t('mfa.isOn')}</p>
            <Field label={t('mfa.codeOrRecovery')}>
                <input name="mfa_off_code" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required maxLength={32} />
            </Field>
            <FormError error={off.error} />
            <button type="submit" disabled={off.busy}>
                {t('mfa.turnOff')}
            </button>
        </form>
    );
}

/** With MFA enforced, an account without it sees only this until it is set up. */
export function MfaSetupPage({me, onDone, onSignedOut}: {me: User; onDone: () => void; onSignedOut: () => void}) {
    const t = useT();
    return (
        <AuthCard subtitle={t('mfa.requiredTitle')}>
            <p>{t('mfa.required')}</p>
            <MfaSetup me={me} onActivated={onDone} />
            <button
                type="button"
                className="link-button"
                onClick={async () => {
                    await logout();
                    onSignedOut();
                    navigate('/login');
                }}
            >
                {t('logout')}
            </button>
        </AuthCard>
    );
}
