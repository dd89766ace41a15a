import {useCallback, useEffect, useState} from 'react';
import {client} from '../api/client';
import type {Session} from '../api/types';
import {useT} from '../i18n/useT';
import {receiveUsers} from '../state/actions';
import {isCurrentSession, sessionDevice, sortSessions} from '../state/accounts';
import {update, useStore} from '../state/store';
import {useTimeFormat} from './common';
import {Field, FormError, useAction, useSubmit} from './forms';
import {MfaSetup, MfaTurnOff} from './MfaSetup';

/** Settings → Security: the password, two-factor authentication and the signed-in sessions. */
export function SecuritySettings() {
    const t = useT();
    const me = useStore((s) => s.me!);
    return (
        <section className="form settings-security" aria-labelledby="security-title">
            <h3 id="security-title">{t('security.title')}</h3>
            {!me.auth_service && <PasswordChange />}
            {!me.auth_service && (
                <fieldset>
                    <legend>{t('mfa.title')}</legend>
                    <TwoFactor />
                </fieldset>
            )}
            <Sessions />
        </section>
    );
}

function PasswordChange() {
    const t = useT();
    const me = useStore((s) => s.me!);
    const [current, setCurrent] = useState('');
    const [next, setNext] = useState('');
    const [again, setAgain] = useState('');
    const [done, setDone] = useState(false);
    const {busy, error, setError, submit} = useSubmit(async () => {
        setDone(false);
        if (next !== again) {
            setError(t('security.passwordMismatch'));
            return;
        }
        await client.updatePassword(me.id, current, next);
        setCurrent('');
        setNext('');
        setAgain('');
        setDone(true);
    });
    return (
        <form className="form" onSubmit={submit}>
            <fieldset>
                <legend>{t('security.password')}</legend>
                <Field label={t('security.currentPassword')}>
                    <input type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
                </Field>
                <Field label={t('security.newPassword')}>
                    <input type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} maxLength={256} />
                </Field>
                <Field label={t('security.repeatPassword')}>
                    <input type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)} required />
                </Field>
                <FormError error={error} />
                {done && <p role="status">{t('security.passwordChanged')}</p>}
                <div className="row">
                    <button type="submit" disabled={busy}>
                        {t('security.changePassword')}
                    </button>
                </div>
            </fieldset>
        </form>
    );
}

function TwoFactor() {
    const me = useStore((s) => s.me!);
    const refresh = async () => {
        const user = await client.me();
        receiveUsers([user]);
        update(() => ({me: user}));
    };
    return me.mfa_active ? <MfaTurnOff me={me} onOff={refresh} /> : <MfaSetup me={me} onActivated={refresh} />;
}

function Sessions() {
    const t = useT();
    const me = useStore((s) => s.me!);
    const when = useTimeFormat();
    const [sessions, setSessions] = useState<Session[] | null>(null);
    const load = useCallback(async () => setSessions(sortSessions(await client.sessions(me.id))), [me.id]);
    const action = useAction(async (ids: string[]) => {
        for (const id of ids) await client.revokeSession(me.id, id);
        await load();
    });
    useEffect(() => void action.run([]), [load]);
    const revoke = (ids: string[]) => void action.run(ids);
    const others = (sessions ?? []).filter((s) => !isCurrentSession(s));
    return (
        <fieldset>
            <legend>{t('security.sessions')}</legend>
            <ul className="session-list">
                {(sessions ?? []).map((s) => {
                    const device = sessionDevice(s);
                    const name = device ? t('security.device', device) : s.device_id || t('security.unknownDevice');
                    return (
                        <li key={s.id} className="row spread">
                            <span>
                                <strong>{name}</strong>
                                {isCurrentSession(s) && <span className="muted"> — {t('security.thisSession')}</span>}
                                <br />
                                <span className="muted">{t('security.lastActive', {when: when.full(s.last_activity_at)})}</span>
                            </span>
                            {!isCurrentSession(s) && (
                                <button type="button" onClick={() => revoke([s.id])} aria-label={t('security.revokeNamed', {name})}>
                                    {t('security.revoke')}
                                </button>
                            )}
                        </li>
                    );
                })}
            </ul>
            <FormError error={action.error} />
            {others.length > 0 && (
                <div className="row">
                    <button type="button" onClick={() => revoke(others.map((s) => s.id))} disabled={action.busy}>
                        {t('security.revokeOthers')}
                    </button>
                </div>
            )}
        </fieldset>
    );
}
