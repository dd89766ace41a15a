import {lazy, Suspense, useEffect, useState} from 'react';
import {useIntl} from 'react-intl';
import type {FileInfo} from '../api/types';
import {useT} from '../i18n/useT';
import {fileKind, fileUrl, fitWithin, previewUrl, thumbnailUrl} from './kinds';
import {formatSize} from './uploads';
import './media.css';

const Lightbox = lazy(() => import('./Lightbox'));
const PdfPreview = lazy(() => import('./PdfPreview'));

const SINGLE_BOX = {width: 480, height: 320};
const TEXT_PREVIEW_BYTES = 4096;

/** A post's files: images as a gallery that opens in a lightbox, audio and video in the browser's players,
 * the first page of PDFs, the start of text files, and a download card for everything else. */
export function PostFiles({files}: {files: FileInfo[]}) {
    const [open, setOpen] = useState<number | null>(null);
    const images = files.filter((f) => fileKind(f) === 'image');
    const others = files.filter((f) => fileKind(f) !== 'image');
    return (
        <div className="post-files">
            {images.length > 0 && (
                <div className={images.length > 1 ? 'image-gallery multi' : 'image-gallery'}>
                    {images.map((f, i) => (
                        <ImageTile key={f.id} info={f} single={images.length === 1} onOpen={() => setOpen(i)} />
                    ))}
                </div>
            )}
            {others.map((f) => (
                <OtherFile key={f.id} info={f} />
            ))}
            {open !== null && (
                <Suspense fallback={null}>
                    <Lightbox images={images} start={open} onClose={() => setOpen(null)} />
                </Suspense>
            )}
        </div>
    );
}

/** An image at its final size from the start (the FileInfo's width and height), blurred mini preview behind. */
function ImageTile({info, single, onOpen}: {info: FileInfo; single: boolean; onOpen: () => void}) {
    const t = useT();
    const size = single ? fitWithin(info.width, info.height, SINGLE_BOX.width, SINGLE_BOX.height) : {width: 120, height: 100};
    const src = single ? (info.mime_type === 'image/gif' ? fileUrl(info.id) : previewUrl(info.id)) : thumbnailUrl(info.id);
    return (
        <button type="button" className="image-tile" style={size} aria-label={t('files.open', {name: info.name})} title={info.name} onClick={onOpen}>
            {info.mini_preview && <span className="mini-preview" style={{backgroundImage: `url(data:image/jpeg;base64,${info.mini_preview})`}} />}
            <img src={src} alt="" width={size.width} height={size.height} loading="lazy" decoding="async" />
        </button>
    );
}

function OtherFile({info}: {info: FileInfo}) {
    const kind = fileKind(info);
    if (kind === 'video') {
        const size = info.width > 0 ? fitWithin(info.width, info.height, SINGLE_BOX.width, SINGLE_BOX.height) : undefined;
        return (
            <figure className="media-file">
                <video controls preload="metadata" src={fileUrl(info.id)} {...size} aria-label={info.name} />
                <FileCard info={info} />
            </figure>
        );
    }
    if (kind === 'audio') {
        return (
            <figure className="media-file">
                <audio controls preload="metadata" src={fileUrl(info.id)} aria-label={info.name} />
                <FileCard info={info} />
            </figure>
        );
    }
    if (kind === 'pdf') {
        return (
            <figure className="media-file">
                <Suspense fallback={null}>
                    <PdfPreview info={info} />
                </Suspense>
                <FileCard info={info} />
            </figure>
        );
    }
    if (kind === 'text') {
        return (
            <figure className="media-file">
                <TextPreview info={info} />
                <FileCard info={info} />
            </figure>
        );
    }
    return <FileCard info={info} />;
}

/** The first few KB of a text file (a range request), shown as text and never interpreted. */
function TextPreview({info}: {info: FileInfo}) {
    const t = useT();
    const [text, setText] = useState<string | null>(null);
    useEffect(() => {
        const abort = new AbortController();
        fetch(fileUrl(info.id), {credentials: 'same-origin', headers: {Range: `bytes=0-${TEXT_PREVIEW_BYTES - 1}`}, signal: abort.signal})
            .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(String(r.status)))))
            .then((bytes) => setText(new TextDecoder('utf-8').decode(bytes.slice(0, TEXT_PREVIEW_BYTES)).replace(/\uFFFD$/, '')))
            .catch(() => undefined);
        return () => abort.abort();
    }, [info.id]);
    if (text === null) return null;
    return (
        <pre className="text-preview" tabIndex={0} aria-label={t('files.textPreview', {name: info.name})}>
            {text}
            {info.size > TEXT_PREVIEW_BYTES && '\n…'}
        </pre>
    );
}

function FileCard({info}: {info: FileInfo}) {
    const t = useT();
    const intl = useIntl();
    const type = info.extension ? info.extension.toUpperCase() : info.mime_type;
    return (
        <div className="file-card">
            <span className="file-icon" aria-hidden="true">
                {fileKind(info) === 'pdf' ? '📕' : '📄'}
            </span>
            <span className="file-meta">
                <span className="file-name" title={info.name}>
                    {info.name}
                </span>
                <span className="muted">
                    {formatSize(info.size, intl.locale)} · {type}
                </span>
            </span>
            <a className="file-download" href={fileUrl(info.id, true)} download={info.name} aria-label={t('files.download', {name: info.name})} title={t('files.download', {name: info.name})}>
                ⬇
            </a>
        </div>
    );
}
