import {lazy, Suspense, useMemo, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {LOCALES} from '../i18n/locales';
import {receiveUsers, setPreference} from '../state/actions';
import {pref, update, useStore} from '../state/store';
import {disableDesktop, desktopEnabled, enableDesktop, notificationsSupported} from '../notify/desktop';
import {Dialog} from './common';
import {Field, FormButtons, FormError, useSubmit} from './forms';
import {SecuritySettings} from './SecuritySettings';

export type Theme = 'light' | 'dark' | 'system';

const PictureEditor = lazy(() => import('./PictureEditor'));

/** Display name, nickname, language (the user's `locale`), theme, time zone and clock. */
export function Settings({onClose}: {onClose: () => void}) {
    const t = useT();
    const me = useStore((s) => s.me!);
    const theme = (useStore((s) => pref(s, 'display_settings', 'theme')) ?? 'system') as Theme;
    const military = useStore((s) => pref(s, 'display_settings', 'use_military_time')) === 'true';
    const tz = me.timezone ?? {useAutomaticTimezone: 'true', automaticTimezone: '', manualTimezone: ''};
    const [first, setFirst] = useState(me.first_name);
    const [last, setLast] = useState(me.last_name);
    const [nickname, setNickname] = useState(me.nickname);
    const [locale, setLocale] = useState(me.locale || 'en');
    const [themeValue, setThemeValue] = useState<Theme>(theme);
    const [clock, setClock] = useState(military ? '24' : '12');
    const [automatic, setAutomatic] = useState(tz.useAutomaticTimezone === true || tz.useAutomaticTimezone === 'true');
    const [manual, setManual] = useState(tz.manualTimezone || Intl.DateTimeFormat().resolvedOptions().timeZone);
    const [desktopLevel, setDesktopLevel] = useState(me.notify_props?.desktop ?? 'mention');
    const [sound, setSound] = useState(me.notify_props?.desktop_sound !== 'false');
    const zones = useMemo(() => (typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['UTC']), []);

    const {error, submit: save} = useSubmit(async () => {
        const user = await client.patchMe({
            first_name: first,
            last_name: last,
            nickname,
            locale,
            timezone: {useAutomaticTimezone: String(automatic), automaticTimezone: Intl.DateTimeFormat().resolvedOptions().timeZone, manualTimezone: manual},
            notify_props: {...me.notify_props, desktop: desktopLevel, desktop_sound: sound ? 'true' : 'false'},
        });
        receiveUsers([user]);
        update(() => ({me: user}));
        if (themeValue !== theme) await setPreference('display_settings', 'theme', themeValue);
        if ((clock === '24') !== military) await setPreference('display_settings', 'use_military_time', clock === '24' ? 'true' : 'false');
        onClose();
    });

    return (
        <Dialog title={t('settings.title')} onClose={onClose} wide>
            <form className="form settings" onSubmit={save}>
                <fieldset>
                    <legend>{t('picture.title')}</legend>
                    <Suspense fallback={null}>
                        <PictureEditor />
                    </Suspense>
                </fieldset>
                <fieldset>
                    <legend>{t('settings.profile')}</legend>
                    <Field label={t('settings.firstName')}>
                        <input value={first} onChange={(e) => setFirst(e.target.value)} maxLength={64} />
                    </Field>
                    <Field label={t('settings.lastName')}>
                        <input value={last} onChange={(e) => setLast(e.target.value)} maxLength={64} />
                    </Field>
                    <Field label={t('settings.nickname')}>
                        <input value={nickname} onChange={(e) => setNickname(e.target.value)} maxLength={64} />
                    </Field>
                </fieldset>
                <fieldset>
                    <legend>{t('settings.display')}</legend>
                    <Field label={t('settings.language')}>
                        <select value={locale} onChange={(e) => setLocale(e.target.value)}>
                            {LOCALES.map((l) => (
                                <option key={l.code} value={l.code} lang={l.code}>
                                    {l.name}
                                </option>
                            ))}
                        </select>
                    </Field>
                    <Field label={t('settings.theme')}>
                        <select value={themeValue} onChange={(e) => setThemeValue(e.target.value as Theme)}>
                            <option value="system">{t('settings.themeSystem')}</option>
                            <option value="light">{t('settings.themeLight')}</option>
                            <option value="dark">{t('settings.themeDark')}</option>
                        </select>
                    </Field>
                    <Field label={t('settings.clock')}>
                        <select value={clock} onChange={(e) => setClock(e.target.value)}>
                            <option value="12">{t('settings.clock12')}</option>
                            <option value="24">{t('settings.clock24')}</option>
                        </select>
                    </Field>
                    <Field check label={t('settings.timezoneAuto')}>
                        <input type="checkbox" checked={automatic} onChange={(e) => setAutomatic(e.target.checked)} />
                    </Field>
                    <Field label={t('settings.timezone')}>
                        <select value={automatic ? Intl.DateTimeFormat().resolvedOptions().timeZone : manual} disabled={automatic} onChange={(e) => setManual(e.target.value)}>
                            {zones.map((z) => (
                                <option key={z} value={z}>
                                    {z}
                                </option>
                            ))}
                        </select>
                    </Field>
                </fieldset>
                <NotificationSettings level={desktopLevel} setLevel={setDesktopLevel} sound={sound} setSound={setSound} />
                <FormError error={error} />
                <FormButtons submit={t('common.save')} onCancel={onClose} />
            </form>
            <SecuritySettings />
        </Dialog>
    );
}

/** Desktop notifications: this browser's permission and Web Push subscription (changed at once, since the
 * browser asks from the click), and the account's level and sound (saved with the form). */
function NotificationSettings(props: {level: string; setLevel: (v: string) => void; sound: boolean; setSound: (v: boolean) => void}) {
    const t = useT();
    const [enabled, setEnabled] = useState(desktopEnabled());
    const [blocked, setBlocked] = useState(notificationsSupported() && Notification.permission === 'denied');
    if (!notificationsSupported()) return null;
    const toggle = async (on: boolean) => {
        if (on) {
            const permission = await enableDesktop();
            setBlocked(permission === 'denied');
            setEnabled(permission === 'granted');
        } else {
            await disableDesktop();
            setEnabled(false);
        }
    };
    return (
        <fieldset>
            <legend>{t('settings.notifications')}</legend>
            <label className="check">
                <input type="checkbox" checked={enabled} disabled={blocked} onChange={(e) => void toggle(e.target.checked)} />
                {t('settings.desktopEnable')}
            </label>
            {blocked && <p className="muted">{t('settings.desktopBlocked')}</p>}
            <label>
                {t('settings.desktopLevel')}
                <select value={props.level} onChange={(e) => props.setLevel(e.target.value)}>
                    <option value="all">{t('settings.desktopAll')}</option>
                    <option value="mention">{t('settings.desktopMention')}</option>
                    <option value="none">{t('settings.desktopNone')}</option>
                </select>
            </label>
            <label className="check">
                <input type="checkbox" checked={props.sound} onChange={(e) => props.setSound(e.target.checked)} />
                {t('settings.desktopSound')}
            </label>
        </fieldset>
    );
}
