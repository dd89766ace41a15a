import {type KeyboardEvent as ReactKeyboardEvent, type ReactNode, useEffect, useMemo, useRef} from 'react';
import {useIntl} from 'react-intl';
import type {User} from '../api/types';
import {useT} from '../i18n/useT';
import {EmojiGlyph} from '../emoji/Glyph';
import {customStatusOf} from '../state/status';
import {pref, useStore} from '../state/store';

export function displayName(user: User | undefined): string {
    if (!user) return '…';
    return user.nickname || [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username;
}

/** A user's picture with their presence dot (`status` overrides the known one). */
export function Avatar({userId, size = 36, status: shown}: {userId: string; size?: number; status?: string}) {
    const user = useStore((s) => s.users[userId]);
    const known = useStore((s) => s.statuses[userId]);
    const status = shown ?? known;
    const t = useT();
    return (
        <span className="avatar" style={{width: size, height: size}}>
            <img src={`/api/v4/users/${userId}/image?_=${user?.last_picture_update || user?.update_at || 0}`} alt="" width={size} height={size} loading="lazy" />
            {status && <PresenceDot status={status} label={t('status.' + status)} />}
        </span>
    );
}

/** The emoji of a user's custom status beside their name, its text as the tooltip (the profile card says it
 * in words); nothing without one. */
export function CustomStatusEmoji({userId}: {userId: string}) {
    const user = useStore((s) => s.users[userId]);
    const custom = useMemo(() => customStatusOf(user, Date.now()), [user]);
    if (!custom) return null;
    return (
        <span className="custom-status-emoji" title={custom.text || undefined}>
            <EmojiGlyph name={custom.emoji} label={false} />
        </span>
    );
}

export function PresenceDot({status, label}: {status: string; label: string}) {
    return <span className={`presence presence-${status}`} role="img" aria-label={label} title={label} />;
}

/** Times in the user's time zone and 12/24-hour choice. */
export function useTimeFormat() {
    const intl = useIntl();
    const me = useStore((s) => s.me);
    const military = useStore((s) => pref(s, 'display_settings', 'use_military_time')) === 'true';
    const tz = userTimeZone(me);
    return {
        timeZone: tz,
        hour12: !military,
        time: (at: number) => intl.formatTime(at, {hour: 'numeric', minute: '2-digit', hour12: !military, timeZone: tz}),
        date: (at: number) => intl.formatDate(at, {weekday: 'long', year: 'numeric', month: 'long', day: 'numeric', timeZone: tz}),
        full: (at: number) => intl.formatDate(at, {dateStyle: 'full', timeStyle: 'short', hour12: !military, timeZone: tz} as Intl.DateTimeFormatOptions),
    };
}

export function userTimeZone(me: User | null): string | undefined {
    const tz = me?.timezone;
    if (!tz) return undefined;
    const automatic = tz.useAutomaticTimezone === true || tz.useAutomaticTimezone === 'true';
    return (automatic ? tz.automaticTimezone : tz.manualTimezone) || undefined;
}

const FOCUSABLE = 'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

/** Keeps Tab and Shift+Tab inside a modal: from the last control to the first and back. */
export function trapTab(e: KeyboardEvent | ReactKeyboardEvent, container: HTMLElement | null): void {
    if (e.key !== 'Tab' || !container) return;
    const items = [...container.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const here = document.activeElement;
    if (e.shiftKey && (here === first || !container.contains(here))) {
        e.preventDefault();
        last.focus();
    } else if (!e.shiftKey && (here === last || !container.contains(here))) {
        e.preventDefault();
        first.focus();
    }
}

/** A modal dialog: focus moves in and stays there, Esc or the backdrop closes it, focus returns to where it was. */
export function Dialog({title, onClose, children, wide}: {title: string; onClose: () => void; children: ReactNode; wide?: boolean}) {
    const ref = useRef<HTMLDivElement>(null);
    const t = useT();
    useEffect(() => {
        const before = document.activeElement as HTMLElement | null;
        const first = ref.current?.querySelector<HTMLElement>('input, textarea, select, button:not(.dialog-close)');
        first?.focus();
        return () => before?.focus?.();
    }, []);
    return (
        <div className="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div
                className={wide ? 'dialog wide' : 'dialog'}
                role="dialog"
                aria-modal="true"
                aria-labelledby="dialog-title"
                ref={ref}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        e.stopPropagation();
                        onClose();
                    } else trapTab(e, ref.current);
                }}
            >
                <header className="dialog-head">
                    <h2 id="dialog-title">{title}</h2>
                    <button type="button" className="icon-button dialog-close" onClick={onClose} aria-label={t('common.close')}>
                        ×
                    </button>
                </header>
                {children}
            </div>
        </div>
    );
}
