import {useEffect, useState} from 'react';
import {useIntl} from 'react-intl';
import {client} from '../api/client';
import type {LiveSetting} from '../api/types';
import {useT} from '../i18n/useT';
import {Field, FormError, SaveFooter, useAction, useSubmit} from '../components/forms';

type Draft = Record<string, string | boolean>;

/** A setting's value as its form control holds it: a checkbox's boolean, or the text of an input/select. */
const asDraft = (s: LiveSetting): string | boolean => (s.type === 'boolean' ? Boolean(s.value) : String(s.value ?? ''));

/** What the server takes back: numbers as numbers. */
function toValue(s: LiveSetting, v: string | boolean): unknown {
    if (s.type === 'integer' || s.type === 'number') return v === '' ? NaN : Number(v);
    return v;
}

/** The message keys of choices that the sign-up tab already names. */
const CHOICE_KEYS: Record<string, string> = {signup_mode: 'admin.mode.', invite_permission: 'admin.invite.'};

/** Every live setting (GET /kafana/settings) with the control its type calls for; Save sends the changed
 * ones (PUT), which every node applies within seconds. "Reset" removes an override. */
export function SettingsPage() {
    const t = useT();
    const intl = useIntl();
    const [settings, setSettings] = useState<LiveSetting[]>([]);
    const [draft, setDraft] = useState<Draft>({});
    const [saved, setSaved] = useState(false);
    const [invalid, setInvalid] = useState('');
    const show = (list: LiveSetting[]) => {
        setSettings(list);
        setDraft(Object.fromEntries(list.map((s) => [s.name, asDraft(s)])));
    };
    const load = useAction(async () => show(await client.liveSettings()));
    useEffect(() => void load.run(), []);
    const changed = settings.filter((s) => draft[s.name] !== asDraft(s));
    const save = useSubmit(async () => {
        setSaved(false);
        const bad = changed.find((s) => (s.type === 'integer' || s.type === 'number') && !Number.isFinite(toValue(s, draft[s.name])));
        setInvalid(bad ? t('console.settings.notNumber', {name: t('console.setting.' + bad.name)}) : '');
        if (bad) return;
        show(await client.updateLiveSettings(Object.fromEntries(changed.map((s) => [s.name, toValue(s, draft[s.name])]))));
        setSaved(true);
    });
    const reset = useAction(async (s: LiveSetting) => {
        setSaved(false);
        show(await client.updateLiveSettings({[s.name]: null}));
        setSaved(true);
    });
    /** A value in words: a choice's label (the raw value for one this client does not know), on/off. */
    const word = (s: LiveSetting, v: unknown): string => {
        if (s.type === 'boolean') return t(v ? 'console.on' : 'console.off');
        const key = (CHOICE_KEYS[s.name] ?? `console.choice.${s.name}.`) + String(v);
        return s.type === 'choice' && intl.messages[key] ? t(key) : String(v);
    };
    const set = (name: string, v: string | boolean) => (setDraft((d) => ({...d, [name]: v})), setSaved(false));
    if (!settings.length) return <FormError error={load.error} />;
    return (
        <form className="form console-settings" onSubmit={save.submit} noValidate>
            <p className="muted">{t('console.settings.hint')}</p>
            {settings.map((s) => {
                const label = t('console.setting.' + s.name);
                const v = draft[s.name];
                const control =
                    s.type === 'boolean' ? (
                        <input type="checkbox" checked={v === true} onChange={(e) => set(s.name, e.target.checked)} />
                    ) : s.type === 'choice' ? (
                        <select value={String(v)} onChange={(e) => set(s.name, e.target.value)}>
                            {(s.choices ?? []).map((c) => (
                                <option key={c} value={c}>
                                    {word(s, c)}
                                </option>
                            ))}
                        </select>
                    ) : (
                        <input
                            type={s.type === 'string' ? 'text' : 'number'}
                            inputMode={s.type === 'string' ? undefined : 'numeric'}
                            value={String(v)}
                            min={(s as LiveSetting & {minimum?: number}).minimum}
                            max={(s as LiveSetting & {maximum?: number}).maximum}
                            onChange={(e) => set(s.name, e.target.value)}
                        />
                    );
                return (
                    <div key={s.name} className="console-setting" data-setting={s.name}>
                        <Field check={s.type === 'boolean'} label={label}>
                            {control}
                        </Field>
                        {s.overridden && (
                            <span className="row wrap muted">
                                {t('console.settings.default', {value: word(s, s.default)})}
                                <button type="button" className="link-button" onClick={() => reset.run(s)}>
                                    {t('console.settings.reset')}
                                    <span className="visually-hidden"> ({label})</span>
                                </button>
                            </span>
                        )}
                    </div>
                );
            })}
            <SaveFooter
                error={invalid || save.error || reset.error}
                saved={saved}
                busy={save.busy || changed.length === 0}
                label={t('console.settings.save', {count: changed.length})}
                className="console-sticky"
            />
        </form>
    );
}
