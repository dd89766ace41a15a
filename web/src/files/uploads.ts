// The files a composer is uploading before they go out with a post: pure updates of one draft's list, and the
// checks made before a byte is sent (size, count) so that the common mistakes are refused at once, in words.
import type {FileInfo} from '../api/types';

export const MAX_FILES_PER_POST = 10; // Mattermost's limit; the server keeps the first ten

export interface UploadItem {
    clientId: string;
    name: string;
    size: number;
    loaded: number;
    status: 'uploading' | 'done' | 'failed';
    info?: FileInfo;
    /** Why it failed: an i18n key (`upload.*`) or the server's message. */
    error?: string;
}

export function startItem(list: UploadItem[], clientId: string, file: {name: string; size: number}): UploadItem[] {
    return [...list, {clientId, name: file.name, size: file.size, loaded: 0, status: 'uploading'}];
}

const change = (list: UploadItem[], clientId: string, patch: Partial<UploadItem>) => list.map((u) => (u.clientId === clientId ? {...u, ...patch} : u));

export const progressItem = (list: UploadItem[], clientId: string, loaded: number) => change(list, clientId, {loaded});
export const finishItem = (list: UploadItem[], clientId: string, info: FileInfo) => change(list, clientId, {status: 'done', info, loaded: info.size});
export const failItem = (list: UploadItem[], clientId: string, error: string) => change(list, clientId, {status: 'failed', error});
export const removeItem = (list: UploadItem[], clientId: string) => list.filter((u) => u.clientId !== clientId);

/** The uploaded files, in the order they were added: what the post will carry. */
export const attachedFiles = (list: UploadItem[]): FileInfo[] => list.flatMap((u) => (u.status === 'done' && u.info ? [u.info] : []));

/** Still sending: the post waits for these. */
export const isUploading = (list: UploadItem[]) => list.some((u) => u.status === 'uploading');

/** A percentage for the progress bar (0–100). */
export const percent = (u: UploadItem) => (u.size > 0 ? Math.min(100, Math.round((u.loaded / u.size) * 100)) : u.status === 'done' ? 100 : 0);

/** Why a file cannot be sent (an i18n key), or null. `held`: files already in the draft. */
export function refusal(file: {size: number}, held: number, maxSize: number): string | null {
    if (held >= MAX_FILES_PER_POST) return 'upload.tooMany';
    if (maxSize > 0 && file.size > maxSize) return 'upload.tooLarge';
    return null;
}

/** A byte count for people: 0 B, 812 B, 1.4 KB, 23 MB (decimal units, one decimal below ten). */
export function formatSize(bytes: number, locale = 'en'): string {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1000 && unit < units.length - 1) {
        value /= 1000;
        unit += 1;
    }
    const digits = unit > 0 && value < 10 ? 1 : 0;
    return `${new Intl.NumberFormat(locale, {maximumFractionDigits: digits}).format(value)} ${units[unit]}`;
}
