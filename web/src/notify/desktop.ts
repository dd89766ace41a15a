// Desktop notifications (the Notification API) for mentions, DMs and followed threads while the tab is hidden,
// with an optional sound, and the browser's Web Push subscription (Kafana's /kafana/webpush routes) so that the
// service worker can show them when no tab is open. The rules mirror the server's (lib/notify_rules.py).
import {client} from '../api/client';
import type {Post} from '../api/types';

const ENABLED_KEY = 'kafana.desktopNotifications';

export interface DesktopInput {
    post: Post;
    meId: string;
    mentioned: boolean; // in the posted event's `mentions`
    follower: boolean; // in its `followers`
    userProps: Record<string, string>;
    memberProps?: Record<string, string>;
    status: string; // my status
    hidden: boolean; // the tab is not visible
}

/** Whether a post deserves a desktop notification: Mattermost's desktop level (the channel's unless
 * `default`), mute, do-not-disturb, and never for one's own posts or while the tab is in view. */
export function shouldNotifyDesktop(i: DesktopInput): boolean {
    if (!i.hidden || i.post.user_id === i.meId || i.post.type.startsWith('system_') || i.status === 'dnd') return false;
    const member = i.memberProps ?? {};
    if (member.mark_unread === 'mention') return false;
    const level = member.desktop && member.desktop !== 'default' ? member.desktop : (i.userProps.desktop ?? 'mention');
    if (level === 'all') return true;
    if (level !== 'mention') return false;
    return i.mentioned || (i.follower && (i.userProps.desktop_threads ?? 'all') === 'all');
}

export const notificationsSupported = (): boolean => typeof window !== 'undefined' && 'Notification' in window;

export function desktopEnabled(): boolean {
    return notificationsSupported() && Notification.permission === 'granted' && localStorage.getItem(ENABLED_KEY) === 'on';
}

/** A short two-tone chime made with Web Audio (no sound file to ship). */
export function playChime(): void {
    const Ctx = window.AudioContext;
    if (!Ctx) return;
    const ctx = new Ctx();
    [660, 880].forEach((freq, n) => {
        const osc = ctx.createOscillator();
        const gain = ctx.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.15, ctx.currentTime + n * 0.12);
        gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + n * 0.12 + 0.25);
        osc.connect(gain).connect(ctx.destination);
        osc.start(ctx.currentTime + n * 0.12);
        osc.stop(ctx.currentTime + n * 0.12 + 0.3);
    });
    setTimeout(() => void ctx.close(), 1000);
}

/** Shows the notification; its tag is the post id, so a Web Push for the same post replaces it. */
export function showDesktop(title: string, body: string, post: Post, sound: boolean, onClick: () => void): void {
    const n = new Notification(title, {body: body.slice(0, 300), tag: post.id, icon: '/icon-192.png'});
    n.onclick = () => {
        window.focus();
        onClick();
        n.close();
    };
    if (sound) playChime();
}

async function pushRegistration(): Promise<ServiceWorkerRegistration | undefined> {
    if (!('serviceWorker' in navigator) || !('PushManager' in window)) return undefined;
    return navigator.serviceWorker.getRegistration();
}

/** Asks for the permission (from a click), then subscribes this browser to Web Push. Returns the permission. */
export async function enableDesktop(): Promise<NotificationPermission> {
    const permission = await Notification.requestPermission();
    if (permission !== 'granted') return permission;
    localStorage.setItem(ENABLED_KEY, 'on');
    const registration = await pushRegistration();
    if (registration) {
        try {
            const {public_key} = await client.vapidPublicKey();
            const subscription = await registration.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: public_key});
            await client.subscribePush(subscription.toJSON());
        } catch {
            // Web Push unavailable (no push service, private window): notifications still show while a tab is open.
        }
    }
    return permission;
}

export async function disableDesktop(): Promise<void> {
    localStorage.setItem(ENABLED_KEY, 'off');
    const subscription = await (await pushRegistration())?.pushManager.getSubscription();
    if (subscription) {
        await client.unsubscribePush(subscription.endpoint).catch(() => undefined);
        await subscription.unsubscribe();
    }
}
