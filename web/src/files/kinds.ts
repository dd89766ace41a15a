// How the client shows an attached file: by kind (from the type the server sniffed, never the name alone), and
// at what size, so that the space an image takes is known before it loads and the scroll position holds.
import type {FileInfo} from '../api/types';

export type FileKind = 'image' | 'video' | 'audio' | 'pdf' | 'text' | 'other';

// What the browser plays or shows natively; the server serves these inline (kafana.files.sniff.INLINE_TYPES).
const PLAYABLE_VIDEO = new Set(['video/mp4', 'video/webm', 'video/ogg', 'video/quicktime']);
const PLAYABLE_AUDIO = new Set(['audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/x-wav', 'audio/webm', 'audio/mp4', 'audio/x-flac', 'audio/flac', 'audio/aac']);
const TEXT_EXTENSIONS = new Set(['txt', 'md', 'log', 'csv', 'tsv', 'json', 'yaml', 'yml', 'toml', 'ini', 'py', 'js', 'ts', 'tsx', 'go', 'rs', 'c', 'h', 'cpp', 'java', 'sh', 'sql', 'diff', 'patch']);

export function fileKind(info: Pick<FileInfo, 'mime_type' | 'extension' | 'has_preview_image' | 'width'>): FileKind {
    const mime = info.mime_type.toLowerCase();
    if (mime.startsWith('image/') && info.has_preview_image && info.width > 0) return 'image';
    if (PLAYABLE_VIDEO.has(mime)) return 'video';
    if (PLAYABLE_AUDIO.has(mime)) return 'audio';
    if (mime === 'application/pdf') return 'pdf';
    if (mime === 'text/plain' || (mime.startsWith('text/') && TEXT_EXTENSIONS.has(info.extension))) return 'text';
    return 'other';
}

/** The size to show a width×height image at inside maxW×maxH, never enlarged; whole pixels, at least 1. */
export function fitWithin(width: number, height: number, maxW: number, maxH: number): {width: number; height: number} {
    if (width <= 0 || height <= 0) return {width: maxW, height: maxH};
    const scale = Math.min(1, maxW / width, maxH / height);
    return {width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale))};
}

/** The index `step` away from `index` among `count` items, wrapping around (the lightbox's ←/→). */
export const wrapIndex = (index: number, step: number, count: number) => (count ? (((index + step) % count) + count) % count : 0);

export const fileUrl = (id: string, download = false) => `/api/v4/files/${id}${download ? '?download=1' : ''}`;
export const previewUrl = (id: string) => `/api/v4/files/${id}/preview`;
export const thumbnailUrl = (id: string) => `/api/v4/files/${id}/thumbnail`;
