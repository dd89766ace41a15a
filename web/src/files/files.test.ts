// The rules behind attachments: a draft's upload list, what is refused before sending, how files are shown and
// at what size, the lightbox's wrap-around, the crop's geometry, and which preview images may load.
import {describe, expect, it} from 'vitest';
import type {FileInfo} from '../api/types';
import {centreCrop, clampCrop, sourceSquare, zoomTo} from './crop';
import {fileKind, fitWithin, wrapIndex} from './kinds';
import {proxiedImage} from './LinkPreview';
import {attachedFiles, failItem, finishItem, formatSize, isUploading, MAX_FILES_PER_POST, percent, progressItem, refusal, removeItem, startItem} from './uploads';

const info = (id: string, extra: Partial<FileInfo> = {}): FileInfo => ({
    id,
    user_id: 'u',
    post_id: '',
    channel_id: 'c',
    create_at: 1,
    name: id + '.png',
    extension: 'png',
    size: 2000,
    mime_type: 'image/png',
    width: 800,
    height: 600,
    has_preview_image: true,
    ...extra,
});

describe('upload list', () => {
    it('tracks each file from start to done and keeps the order files were added in', () => {
        let list = startItem([], 'a', {name: 'a.png', size: 2000});
        list = startItem(list, 'b', {name: 'b.png', size: 1000});
        list = progressItem(list, 'a', 500);
        expect(percent(list[0])).toBe(25);
        expect(isUploading(list)).toBe(true);
        list = finishItem(list, 'b', info('fb'));
        list = finishItem(list, 'a', info('fa'));
        expect(isUploading(list)).toBe(false);
        expect(attachedFiles(list).map((f) => f.id)).toEqual(['fa', 'fb']);
        expect(percent(list[0])).toBe(100);
    });

    it('leaves failed and removed files out of the post', () => {
        let list = startItem(startItem([], 'a', {name: 'a', size: 1}), 'b', {name: 'b', size: 1});
        list = failItem(list, 'a', 'upload.tooLarge');
        list = finishItem(list, 'b', info('fb'));
        expect(list[0]).toMatchObject({status: 'failed', error: 'upload.tooLarge'});
        expect(attachedFiles(list).map((f) => f.id)).toEqual(['fb']);
        expect(attachedFiles(removeItem(list, 'b'))).toEqual([]);
    });

    it('refuses files over the limit and past the per-post count', () => {
        expect(refusal({size: 11}, 0, 10)).toBe('upload.tooLarge');
        expect(refusal({size: 10}, 0, 10)).toBeNull();
        expect(refusal({size: 10}, MAX_FILES_PER_POST, 10)).toBe('upload.tooMany');
        expect(refusal({size: 10 ** 12}, 0, 0)).toBeNull(); // limit unknown: the server decides
    });

    it('formats sizes for people', () => {
        expect(formatSize(0)).toBe('0 B');
        expect(formatSize(812)).toBe('812 B');
        expect(formatSize(1400)).toBe('1.4 KB');
        expect(formatSize(23_456_789)).toBe('23 MB');
        expect(formatSize(1400, 'de')).toBe('1,4 KB');
    });
});

describe('file display', () => {
    it('shows a file by the type the server sniffed', () => {
        expect(fileKind(info('i'))).toBe('image');
        expect(fileKind(info('s', {mime_type: 'image/svg+xml', has_preview_image: false, width: 0}))).toBe('other');
        expect(fileKind(info('v', {mime_type: 'video/mp4'}))).toBe('video');
        expect(fileKind(info('a', {mime_type: 'audio/mpeg'}))).toBe('audio');
        expect(fileKind(info('p', {mime_type: 'application/pdf'}))).toBe('pdf');
        expect(fileKind(info('t', {mime_type: 'text/plain', extension: 'exe'}))).toBe('text');
        expect(fileKind(info('h', {mime_type: 'text/html', extension: 'html'}))).toBe('other');
        expect(fileKind(info('x', {mime_type: 'application/zip'}))).toBe('other');
    });

    it('fits images in a box without enlarging them', () => {
        expect(fitWithin(4000, 3000, 480, 320)).toEqual({width: 427, height: 320});
        expect(fitWithin(1000, 100, 480, 320)).toEqual({width: 480, height: 48});
        expect(fitWithin(40, 30, 480, 320)).toEqual({width: 40, height: 30});
        expect(fitWithin(0, 0, 480, 320)).toEqual({width: 480, height: 320});
    });

    it('wraps around at both ends of a gallery', () => {
        expect(wrapIndex(2, 1, 3)).toBe(0);
        expect(wrapIndex(0, -1, 3)).toBe(2);
        expect(wrapIndex(0, 1, 0)).toBe(0);
    });

    it('loads a preview image only through the server’s image proxy', () => {
        const origin = 'https://chat.example';
        expect(proxiedImage('https://chat.example/api/v4/image?url=https%3A%2F%2Fx.test%2Fa.png', origin)).toBe('/api/v4/image?url=https%3A%2F%2Fx.test%2Fa.png');
        expect(proxiedImage('https://tracker.test/a.png', origin)).toBeNull();
        expect(proxiedImage('https://tracker.test/api/v4/image', origin)).toBeNull();
        expect(proxiedImage(undefined, origin)).toBeNull();
    });
});

describe('square crop', () => {
    it('starts centred and covering the viewport', () => {
        const crop = centreCrop(400, 200, 100);
        expect(crop).toEqual({zoom: 1, x: -50, y: 0});
        expect(sourceSquare(crop, 400, 200, 100)).toEqual({sx: 100, sy: 0, side: 200});
    });

    it('never leaves a gap when moved or zoomed', () => {
        expect(clampCrop({zoom: 1, x: 30, y: -30}, 400, 200, 100)).toEqual({zoom: 1, x: 0, y: 0});
        expect(clampCrop({zoom: 1, x: -500, y: 0}, 400, 200, 100)).toEqual({zoom: 1, x: -100, y: 0});
        expect(clampCrop({zoom: 0.2, x: 0, y: 0}, 400, 200, 100).zoom).toBe(1);
    });

    it('zooms around the centre of what is shown', () => {
        const zoomed = zoomTo(centreCrop(200, 200, 100), 2, 200, 200, 100);
        expect(zoomed).toEqual({zoom: 2, x: -50, y: -50});
        expect(sourceSquare(zoomed, 200, 200, 100)).toEqual({sx: 50, sy: 50, side: 100});
    });
});
