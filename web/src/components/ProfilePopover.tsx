import {useEffect, useRef, useSyncExternalStore} from 'react';
import {useIntl} from 'react-intl';
import type {User} from '../api/types';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {ensureUsers, receiveUsers, refreshStatus} from '../state/actions';
import {customStatusOf} from '../state/status';
import {EmojiGlyph} from '../emoji/Glyph';
import {getState, useStore} from '../state/store';
import {Avatar, displayName, useTimeFormat, userTimeZone} from './common';
import {navigate} from '../router';

interface Open {
    userId: string;
    x: number;
    y: number;
}

let open: Open | null = null;
const listeners = new Set<() => void>();
const set = (next: Open | null) => {
    open = next;
    listeners.forEach((l) => l());
};

/** Show a person's card next to the element that was clicked (an author name or an @mention). */
export function openProfile(userIdOrUsername: string, target: HTMLElement, byUsername = false): void {
    const rect = target.getBoundingClientRect();
    const show = (userId: string) => set({userId, x: Math.min(rect.left, window.innerWidth - 280), y: Math.min(rect.bottom + 4, window.innerHeight - 220)});
    if (!byUsername) {
        ensureUsers([userIdOrUsername]);
        show(userIdOrUsername);
        return;
    }
    const known = Object.values(getState().users).find((u) => u.username === userIdOrUsername);
    if (known) show(known.id);
    else
        client
            .userByUsername(userIdOrUsername)
            .then((u) => (receiveUsers([u]), show(u.id)))
            .catch(() => undefined);
}

export function ProfilePopover() {
    const current = useSyncExternalStore(
        (l) => (listeners.add(l), () => listeners.delete(l)),
        () => open,
    );
    const t = useT();
    const ref = useRef<HTMLDivElement>(null);
    const user = useStore((s) => (current ? s.users[current.userId] : undefined));
    const status = useStore((s) => (current ? s.statuses[current.userId] : undefined));
    const me = useStore((s) => s.me);
    const team = useStore((s) => s.teams.find((tm) => tm.id === s.teamId));
    const custom = customStatusOf(user, Date.now());
    const localTime = useLocalTime(user);
    useEffect(() => {
        if (!current) return;
        refreshStatus(current.userId).catch(() => undefined);
        ref.current?.focus();
        const close = (e: MouseEvent) => !ref.current?.contains(e.target as Node) && set(null);
        document.addEventListener('mousedown', close);
        return () => document.removeEventListener('mousedown', close);
    }, [current]);
    if (!current || !user) return null;
    return (
        <div
            className="popover"
            role="dialog"
            aria-label={t('profile.title', {name: user.username})}
            tabIndex={-1}
            ref={ref}
            style={{left: current.x, top: current.y}}
            onKeyDown={(e) => e.key === 'Escape' && set(null)}
        >
            <div className="row">
                <Avatar userId={user.id} size={56} />
                <div>
                    <strong>{displayName(user)}</strong>
                    <div className="muted">@{user.username}</div>
                    {user.position && <div className="muted">{user.position}</div>}
                    <div className="muted">{t('status.' + (status ?? 'offline'))}</div>
                    {custom && (
                        <div className="custom-status">
                            <EmojiGlyph name={custom.emoji} /> {custom.text}
                        </div>
                    )}
                    {localTime && <div className="muted">{t('profile.localTime', {time: localTime})}</div>}
                </div>
            </div>
            {me && user.id !== me.id && team && (
                <button
                    type="button"
                    className="primary"
                    onClick={() => {
                        set(null);
                        navigate(`/${team.name}/messages/@${user.username}`);
                    }}
                >
                    {t('profile.message')}
                </button>
            )}
        </div>
    );
}

/** The time where the person is (their time zone setting), in your 12/24-hour choice; none without a zone. */
function useLocalTime(user: User | undefined): string {
    const intl = useIntl();
    const {hour12} = useTimeFormat();
    const zone = user ? userTimeZone(user) : undefined;
    if (!zone) return '';
    try {
        return intl.formatTime(Date.now(), {hour: 'numeric', minute: '2-digit', hour12, timeZone: zone, timeZoneName: 'short'});
    } catch {
        return ''; // a zone this browser does not know
    }
}
