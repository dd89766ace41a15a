import {lazy, Suspense, useEffect, useRef, useState} from 'react';
import {client} from '../api/client';
import type {CustomStatus, Status} from '../api/types';
import {EmojiGlyph} from '../emoji/Glyph';
import {useT} from '../i18n/useT';
import {setMyStatus} from '../state/actions';
import {CUSTOM_DURATIONS, type CustomDuration, customExpiry, customStatusOf, DND_CHOICES, dndEndTime, STATUSES} from '../state/status';
import {useStore} from '../state/store';
import {Avatar, CustomStatusEmoji, Dialog, useTimeFormat} from './common';
import {Field, FormButtons, FormError, useErrorText} from './forms';

const EmojiPicker = lazy(() => import('./EmojiPicker'));

/** `datetime-local` input value for a time (local), and back. */
const toLocalInput = (at: Date) => new Date(at.getTime() - at.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const inOneHour = () => new Date(Date.now() + 3_600_000);

/** Your avatar, name and status in the sidebar's head; it opens a menu to set online, away, do not disturb
 * (for a while) or offline, and a custom status. */
export function StatusMenu() {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const connection = useStore((s) => s.connection);
    const chosen = useStore((s) => s.statuses[me.id]) ?? 'online';
    const dndEnd = useStore((s) => s.dndEndTime);
    const status = connection === 'online' ? chosen : 'offline';
    const custom = customStatusOf(me, Date.now());
    const {time, full} = useTimeFormat();
    const [open, setOpen] = useState(false);
    const [dndOpen, setDndOpen] = useState(false);
    const [dialog, setDialog] = useState<'dnd' | 'custom' | null>(null);
    const [error, setError] = useState('');
    const anchor = useRef<HTMLDivElement>(null);
    const button = useRef<HTMLButtonElement>(null);
    const menu = useRef<HTMLDivElement>(null);

    useEffect(() => {
        if (!open) return;
        menu.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
        const close = (e: MouseEvent) => !anchor.current?.contains(e.target as Node) && setOpen(false);
        document.addEventListener('mousedown', close);
        return () => document.removeEventListener('mousedown', close);
    }, [open]);

    const close = () => {
        setOpen(false);
        setDndOpen(false);
        button.current?.focus();
    };
    const run = async (action: () => Promise<unknown>) => {
        close();
        setError('');
        try {
            await action();
        } catch (err) {
            setError(errorText(err));
        }
    };
    const choose = (next: Status['status'], end = 0) => run(() => setMyStatus(next, end));
    const tomorrow = new Date(dndEndTime('tomorrow', new Date()) * 1000);
    const statusLabel = status === 'dnd' && dndEnd ? t('status.dndUntil', {time: full(dndEnd * 1000)}) : t('status.' + status);

    return (
        <div className="menu-anchor status-anchor" ref={anchor}>
            <button
                type="button"
                ref={button}
                className="me-button"
                aria-haspopup="menu"
                aria-expanded={open}
                aria-label={`@${me.username}, ${t('status.set', {status: statusLabel + (custom ? ` — ${custom.text || ':' + custom.emoji + ':'}` : '')})}`}
                title={statusLabel}
                onClick={() => (open ? close() : setOpen(true))}
            >
                <Avatar userId={me.id} size={28} status={status} />
                <span className="me-name">@{me.username}</span>
                <CustomStatusEmoji userId={me.id} />
            </button>
            {open && (
                <div
                    className="menu status-menu"
                    role="menu"
                    aria-label={t('status.menu')}
                    ref={menu}
                    onKeyDown={(e) => {
                        if (e.key === 'Escape') {
                            e.stopPropagation();
                            close();
                        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                            e.preventDefault();
                            const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
                            const i = items.indexOf(document.activeElement as HTMLElement);
                            items[(i + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
                        }
                    }}
                >
                    {STATUSES.map((s) =>
                        s === 'dnd' ? (
                            <div key={s} role="none">
                                <button type="button" role="menuitemradio" aria-checked={chosen === s} aria-expanded={dndOpen} onClick={() => setDndOpen(!dndOpen)}>
                                    <StatusDot status={s} /> {t('status.dnd')} {chosen === 'dnd' && dndEnd > 0 && <span className="muted">{time(dndEnd * 1000)}</span>}
                                </button>
                                {dndOpen && (
                                    <div role="group" aria-label={t('status.dndFor')} className="submenu">
                                        {DND_CHOICES.map((c) => (
                                            <button key={c} type="button" role="menuitem" onClick={() => choose('dnd', dndEndTime(c, new Date()))}>
                                                {t('status.dur.' + c, {time: time(tomorrow.getTime())})}
                                            </button>
                                        ))}
                                        <button type="button" role="menuitem" onClick={() => (close(), setDialog('dnd'))}>
                                            {t('status.dur.custom')}
                                        </button>
                                    </div>
                                )}
                            </div>
                        ) : (
                            <button key={s} type="button" role="menuitemradio" aria-checked={chosen === s} onClick={() => choose(s)}>
                                <StatusDot status={s} /> {t('status.' + s)}
                            </button>
                        ),
                    )}
                    <div role="separator" className="menu-separator" />
                    <button type="button" role="menuitem" onClick={() => (close(), setDialog('custom'))}>
                        {custom ? t('status.customChange') : t('status.customSet')}
                    </button>
                    {custom && (
                        <button type="button" role="menuitem" onClick={() => run(() => client.clearCustomStatus(me.id))}>
                            {t('status.customClear')}
                        </button>
                    )}
                </div>
            )}
            <FormError error={error} />
            {dialog === 'dnd' && <DndUntilDialog onClose={() => setDialog(null)} onChoose={(end) => (setDialog(null), void choose('dnd', end))} />}
            {dialog === 'custom' && <CustomStatusDialog current={custom} onClose={() => setDialog(null)} />}
        </div>
    );
}

function StatusDot({status}: {status: string}) {
    return <span className={`presence presence-${status}`} aria-hidden="true" />;
}

function DndUntilDialog({onClose, onChoose}: {onClose: () => void; onChoose: (endSeconds: number) => void}) {
    const t = useT();
    const [value, setValue] = useState(() => toLocalInput(inOneHour()));
    const [error, setError] = useState('');
    return (
        <Dialog title={t('status.dndTitle')} onClose={onClose}>
            <form
                className="form"
                onSubmit={(e) => {
                    e.preventDefault();
                    const at = new Date(value).getTime();
                    if (!(at > Date.now())) return setError(t('status.future'));
                    onChoose(Math.floor(at / 1000));
                }}
            >
                <Field label={t('status.endsAt')}>
                    <input type="datetime-local" required value={value} min={toLocalInput(new Date())} onChange={(e) => setValue(e.target.value)} />
                </Field>
                <FormError error={error} />
                <FormButtons submit={t('status.dnd')} onCancel={onClose} />
            </form>
        </Dialog>
    );
}

function CustomStatusDialog({current, onClose}: {current: CustomStatus | null; onClose: () => void}) {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const [emoji, setEmoji] = useState(current?.emoji ?? 'speech_balloon');
    const [text, setText] = useState(current?.text ?? '');
    const [duration, setDuration] = useState<CustomDuration>(current?.duration === 'date_and_time' ? 'date_and_time' : 'today');
    const [until, setUntil] = useState(() => toLocalInput(current?.expires_at && current.duration === 'date_and_time' ? new Date(current.expires_at) : inOneHour()));
    const [picking, setPicking] = useState(false);
    const [error, setError] = useState('');
    if (picking) {
        return (
            <Suspense fallback={null}>
                <EmojiPicker onPick={(name) => (setEmoji(name), setPicking(false))} onClose={() => setPicking(false)} />
            </Suspense>
        );
    }
    return (
        <Dialog title={t('status.customTitle')} onClose={onClose}>
            <form
                className="form"
                onSubmit={async (e) => {
                    e.preventDefault();
                    const expires = customExpiry(duration, new Date(), new Date(until));
                    if (duration && !(expires > Date.now())) return setError(t('status.future'));
                    try {
                        await client.setCustomStatus(me.id, {emoji, text: text.trim(), duration, ...(expires ? {expires_at: new Date(expires).toISOString()} : {})});
                        onClose();
                    } catch (err) {
                        setError(errorText(err));
                    }
                }}
            >
                <div className="custom-status-row">
                    <button type="button" className="icon-button emoji-choice" aria-label={t('status.customEmoji', {name: emoji})} onClick={() => setPicking(true)}>
                        <EmojiGlyph name={emoji} label={false} />
                    </button>
                    <Field label={t('status.customText')}>
                        <input type="text" value={text} maxLength={100} onChange={(e) => setText(e.target.value)} />
                    </Field>
                </div>
                <Field label={t('status.clearAfter')}>
                    <select value={duration} onChange={(e) => setDuration(e.target.value as CustomDuration)}>
                        {CUSTOM_DURATIONS.map((d) => (
                            <option key={d} value={d}>
                                {t('status.dur.' + (d === 'date_and_time' ? 'custom' : d || 'never'))}
                            </option>
                        ))}
                    </select>
                </Field>
                {duration === 'date_and_time' && (
                    <Field label={t('status.endsAt')}>
                        <input type="datetime-local" required value={until} min={toLocalInput(new Date())} onChange={(e) => setUntil(e.target.value)} />
                    </Field>
                )}
                <FormError error={error} />
                <FormButtons submit={t('common.save')} onCancel={onClose} />
            </form>
        </Dialog>
    );
}
