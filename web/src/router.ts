// Mattermost's URLs, so links shared from either app open the same place.
import {useSyncExternalStore} from 'react';

export type Route =
    | {kind: 'login'}
    | {kind: 'signup'}
    | {kind: 'root'}
    | {kind: 'team'; team: string}
    | {kind: 'channel'; team: string; channel: string}
    | {kind: 'dm'; team: string; username: string}
    | {kind: 'permalink'; team: string; postId: string}
    | {kind: 'threads'; team: string; threadId?: string}
    | {kind: 'moderation'; team: string}
    | {kind: 'integrations'; team: string}
    | {kind: 'resetRequest'}
    | {kind: 'resetComplete'}
    | {kind: 'verifyEmail'};

/** The pages the server's emails link to: open whether or not someone is signed in. */
export const ACCOUNT_EMAIL_ROUTES = new Set<Route['kind']>(['resetRequest', 'resetComplete', 'verifyEmail']);

export function parseRoute(path: string): Route {
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    if (parts[0] === 'login') return {kind: 'login'};
    if (parts[0] === 'signup' || parts[0] === 'signup_user_complete') return {kind: 'signup'};
    if (parts[0] === 'reset_password') return {kind: 'resetRequest'};
    if (parts[0] === 'reset_password_complete') return {kind: 'resetComplete'};
    if (parts[0] === 'do_verify_email') return {kind: 'verifyEmail'};
    if (parts.length === 0) return {kind: 'root'};
    const team = parts[0];
    if (parts[1] === 'channels' && parts[2]) return {kind: 'channel', team, channel: parts[2]};
    if (parts[1] === 'messages' && parts[2]?.startsWith('@')) return {kind: 'dm', team, username: parts[2].slice(1)};
    if (parts[1] === 'messages' && parts[2]) return {kind: 'channel', team, channel: parts[2]};
    if (parts[1] === 'pl' && parts[2]) return {kind: 'permalink', team, postId: parts[2]};
    if (parts[1] === 'threads') return {kind: 'threads', team, threadId: parts[2]};
    if (parts[1] === 'moderation') return {kind: 'moderation', team};
    if (parts[1] === 'integrations') return {kind: 'integrations', team};
    return {kind: 'team', team};
}

const listeners = new Set<() => void>();
window.addEventListener('popstate', () => listeners.forEach((l) => l()));

export function navigate(path: string, replace = false) {
    if (path === location.pathname + location.search) return;
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    listeners.forEach((l) => l());
}

export function usePath(): string {
    return useSyncExternalStore(
        (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
        },
        () => location.pathname,
    );
}
