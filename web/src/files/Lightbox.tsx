import {useEffect, useRef, useState} from 'react';
import type {FileInfo} from '../api/types';
import {useT} from '../i18n/useT';
import {fileUrl, previewUrl, wrapIndex} from './kinds';

/** A post's images one at a time, over everything: ←/→ move, Esc closes, Tab stays inside, and focus goes back
 * to the image that opened it. */
export default function Lightbox({images, start, onClose}: {images: FileInfo[]; start: number; onClose: () => void}) {
    const t = useT();
    const [index, setIndex] = useState(start);
    const ref = useRef<HTMLDivElement>(null);
    const image = images[index];
    const many = images.length > 1;

    useEffect(() => {
        const before = document.activeElement as HTMLElement | null;
        ref.current?.querySelector<HTMLElement>('.lightbox-close')?.focus();
        return () => before?.focus?.();
    }, []);

    const onKeyDown = (e: React.KeyboardEvent) => {
        if (e.key === 'Escape') {
            e.preventDefault();
            e.stopPropagation();
            onClose();
        } else if (many && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) {
            e.preventDefault();
            // In a right-to-left layout the next image is to the left.
            const rtl = getComputedStyle(ref.current!).direction === 'rtl';
            setIndex((i) => wrapIndex(i, (e.key === 'ArrowRight') !== rtl ? 1 : -1, images.length));
        } else if (e.key === 'Tab') {
            const focusable = [...ref.current!.querySelectorAll<HTMLElement>('button, a[href]')];
            const first = focusable[0];
            const last = focusable[focusable.length - 1];
            if (e.shiftKey && document.activeElement === first) {
                e.preventDefault();
                last.focus();
            } else if (!e.shiftKey && document.activeElement === last) {
                e.preventDefault();
                first.focus();
            }
        }
    };

    return (
        <div className="lightbox-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
            <div className="lightbox" role="dialog" aria-modal="true" aria-label={t('files.viewer', {name: image.name})} ref={ref} onKeyDown={onKeyDown}>
                <header className="lightbox-head">
                    <span className="lightbox-name">{image.name}</span>
                    {many && <span className="lightbox-position">{t('files.position', {index: index + 1, count: images.length})}</span>}
                    <a className="lightbox-download" href={fileUrl(image.id, true)} download={image.name}>
                        {t('files.downloadShort')}
                    </a>
                    <button type="button" className="icon-button lightbox-close" aria-label={t('common.close')} onClick={onClose}>
                        ×
                    </button>
                </header>
                <div className="lightbox-stage">
                    {many && (
                        <button type="button" className="lightbox-nav prev" aria-label={t('files.previous')} onClick={() => setIndex((i) => wrapIndex(i, -1, images.length))}>
                            ‹
                        </button>
                    )}
                    <img key={image.id} src={image.mime_type === 'image/gif' ? fileUrl(image.id) : previewUrl(image.id)} alt={image.name} width={image.width} height={image.height} />
                    {many && (
                        <button type="button" className="lightbox-nav next" aria-label={t('files.next')} onClick={() => setIndex((i) => wrapIndex(i, 1, images.length))}>
                            ›
                        </button>
                    )}
                </div>
            </div>
        </div>
    );
}
