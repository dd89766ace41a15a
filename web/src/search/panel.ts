// Which list the right-hand panel shows: search results (for `terms`), recent mentions, saved posts, or the
// pinned posts of `channelId`. A small store of its own, so the header's buttons and the panel share it.
import {useSyncExternalStore} from 'react';

export type PanelKind = 'search' | 'mentions' | 'saved' | 'pinned';

export interface Panel {
    kind: PanelKind;
    terms: string;
    channelId: string;
    /** Changes on every opening, so the same search run again reloads. */
    seq: number;
}

let panel: Panel | null = null;
let seq = 0;
const listeners = new Set<() => void>();

function set(next: Panel | null): void {
    panel = next;
    listeners.forEach((l) => l());
}

export function openPanel(kind: PanelKind, options: {terms?: string; channelId?: string} = {}): void {
    set({kind, terms: options.terms ?? '', channelId: options.channelId ?? '', seq: ++seq});
}

export function closePanel(): void {
    set(null);
}

export function usePanel(): Panel | null {
    return useSyncExternalStore(
        (l) => {
            listeners.add(l);
            return () => listeners.delete(l);
        },
        () => panel,
    );
}
