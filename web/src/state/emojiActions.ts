// Loading, adding and deleting custom emoji; the store holds them by name (emoji/custom.ts).
import {client} from '../api/client';
import type {CustomEmoji} from '../api/types';
import {withEmoji} from '../emoji/custom';
import {getState, update} from './store';

const PER_PAGE = 200;
const MAX_PAGES = 25;

export const receiveEmoji = (list: CustomEmoji[]) => update((s) => ({customEmoji: withEmoji(s.customEmoji, list)}));

export async function loadCustomEmoji(): Promise<void> {
    for (let page = 0; page < MAX_PAGES; page++) {
        let list: CustomEmoji[];
        try {
            list = await client.customEmoji(page, PER_PAGE);
        } catch {
            return; // shown as :name: until the next start
        }
        receiveEmoji(list);
        if (list.length < PER_PAGE) return;
    }
}

export async function createCustomEmoji(name: string, image: File): Promise<CustomEmoji> {
    const created = await client.createEmoji(name, getState().me!.id, image);
    receiveEmoji([created]);
    return created;
}

export async function deleteCustomEmoji(emoji: CustomEmoji): Promise<void> {
    await client.deleteEmoji(emoji.id);
    receiveEmoji([{...emoji, delete_at: Date.now()}]);
}
