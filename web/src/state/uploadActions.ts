// Uploading a composer's files: each starts at once (XMLHttpRequest, for its progress events), can be
// cancelled, and lands in the draft's list in the store; the post then carries the finished ones' ids.
import {AbortedError, ApiError, client} from '../api/client';
import {attachedFiles, failItem, finishItem, progressItem, refusal, removeItem, startItem, type UploadItem} from '../files/uploads';
import {getState, update} from './store';

export const draftId = (channelId: string, rootId: string) => `${channelId}:${rootId}`;

const running = new Map<string, () => void>();
let counter = 0;

function setList(draft: string, change: (list: UploadItem[]) => UploadItem[]): void {
    update((s) => ({uploads: {...s.uploads, [draft]: change(s.uploads[draft] ?? [])}}));
}

/** The server's file size limit, asked for once. */
export async function loadUploadLimit(): Promise<void> {
    try {
        const config = await client.clientConfig();
        const max = Number(config.MaxFileSize);
        if (max > 0) update(() => ({maxFileSize: max}));
    } catch {
        // the server still enforces its limit
    }
}

/** Start uploading files into a draft; files that cannot go (too large, too many) are listed as failed. */
export function startUploads(channelId: string, rootId: string, files: File[]): void {
    const draft = draftId(channelId, rootId);
    for (const file of files) {
        const clientId = `${Date.now().toString(36)}-${++counter}`;
        const held = (getState().uploads[draft] ?? []).filter((u) => u.status !== 'failed').length;
        setList(draft, (list) => startItem(list, clientId, file));
        const refused = refusal(file, held, getState().maxFileSize);
        if (refused) {
            setList(draft, (list) => failItem(list, clientId, refused));
            continue;
        }
        const upload = client.uploadFile(channelId, file, clientId, (loaded) => setList(draft, (list) => progressItem(list, clientId, loaded)));
        running.set(clientId, upload.abort);
        upload.done
            .then((answer) => {
                const info = answer.file_infos[0];
                setList(draft, (list) => (info ? finishItem(list, clientId, info) : failItem(list, clientId, 'upload.failed')));
            })
            .catch((err) => {
                if (err instanceof AbortedError) return;
                setList(draft, (list) => failItem(list, clientId, failure(err)));
            })
            .finally(() => running.delete(clientId));
    }
}

/** Why an upload failed: an i18n key, or the server's own words for what the client has no words for. */
function failure(err: unknown): string {
    if (!(err instanceof ApiError)) return 'upload.failed';
    if (err.id === 'api.file.upload_file.quota.app_error') return 'upload.quota';
    return err.status === 413 ? 'upload.tooLarge' : err.message;
}

/** Stop an upload (or drop a finished or failed file from the draft). */
export function cancelUpload(channelId: string, rootId: string, clientId: string): void {
    running.get(clientId)?.();
    running.delete(clientId);
    setList(draftId(channelId, rootId), (list) => removeItem(list, clientId));
}

/** The draft's finished files, taken out of it (they now belong to the post being sent). */
export function takeAttached(channelId: string, rootId: string) {
    const draft = draftId(channelId, rootId);
    const files = attachedFiles(getState().uploads[draft] ?? []);
    setList(draft, (list) => list.filter((u) => u.status === 'uploading'));
    return files;
}
