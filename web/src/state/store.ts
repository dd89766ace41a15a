// The client's state in one immutable object, changed only through `update`; components read slices with
// `useStore(selector)`. The pure helpers it uses (posts.ts, channels.ts) hold the rules and are unit-tested.
import {useSyncExternalStore} from 'react';
import type {Channel, ChannelMember, CustomEmoji, Team, User, UserThread} from '../api/types';
import type {UploadItem} from '../files/uploads';
import type {SocketStatus} from '../api/socket';
import {emptyPosts, type PostsState} from './posts';

export interface Typing {
    userId: string;
    parentId: string;
    until: number;
}

export interface AppState {
    me: User | null;
    teams: Team[];
    teamId: string;
    channels: Record<string, Channel>;
    members: Record<string, ChannelMember>;
    users: Record<string, User>;
    statuses: Record<string, string>;
    /** When your do-not-disturb ends, in seconds (0: no end, or not in do-not-disturb). */
    dndEndTime: number;
    /** Preferences by `category:name`. */
    prefs: Record<string, string>;
    posts: PostsState;
    /** The member's last_viewed_at when the channel was opened: where the "new messages" line goes. */
    openedAt: Record<string, number>;
    typing: Record<string, Typing[]>;
    threads: UserThread[];
    connection: SocketStatus;
    /** A post to scroll to and highlight (permalinks). */
    highlight: string;
    /** The post being edited in place. */
    editing: string;
    /** Files being attached, by draft (`channelId:rootId`). */
    uploads: Record<string, UploadItem[]>;
    /** Custom emoji by name. */
    customEmoji: Record<string, CustomEmoji>;
    /** The server's upload limit in bytes (0: unknown). */
    maxFileSize: number;
}

export const initialState = (): AppState => ({
    me: null,
    teams: [],
    teamId: '',
    channels: {},
    members: {},
    users: {},
    statuses: {},
    dndEndTime: 0,
    prefs: {},
    posts: emptyPosts(),
    openedAt: {},
    typing: {},
    threads: [],
    connection: 'connecting',
    highlight: '',
    editing: '',
    uploads: {},
    customEmoji: {},
    maxFileSize: 0,
});

let state = initialState();
const listeners = new Set<() => void>();

export function getState(): AppState {
    return state;
}

export function update(change: (s: AppState) => Partial<AppState>): void {
    state = {...state, ...change(state)};
    listeners.forEach((l) => l());
}

export function useStore<T>(selector: (s: AppState) => T): T {
    return useSyncExternalStore(
        (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
        },
        () => selector(state),
    );
}

export const pref = (s: AppState, category: string, name: string) => s.prefs[`${category}:${name}`];
