import {useEffect, useRef, useState} from 'react';
import {client} from '../api/client';
import type {User} from '../api/types';
import {useT} from '../i18n/useT';
import {centreCrop, clampCrop, coverScale, type Crop, sourceSquare, zoomTo} from '../files/crop';
import {receiveUsers} from '../state/actions';
import {update, useStore} from '../state/store';
import {useErrorText} from './forms';
import {Avatar} from './common';
import {FormStatus} from './FormStatus';
import '../files/media.css';

const VIEW = 240; // the crop viewport, CSS pixels
const OUTPUT = 512; // the uploaded square; the server makes its own sizes from it
const STEP = 10; // arrow-key move, viewport pixels

/** Choose an image, pick its square (drag or arrow keys to move, the slider to zoom), upload it; or go back to
 * the generated default. */
export default function PictureEditor() {
    const t = useT();
    const errorText = useErrorText();
    const me = useStore((s) => s.me!);
    const [image, setImage] = useState<HTMLImageElement | null>(null);
    const [crop, setCrop] = useState<Crop>({zoom: 1, x: 0, y: 0});
    const [error, setError] = useState('');
    const [status, setStatus] = useState('');
    const [busy, setBusy] = useState(false);
    const drag = useRef<{px: number; py: number; x: number; y: number} | null>(null);
    const url = useRef('');
    const chooser = useRef<HTMLInputElement>(null);
    useEffect(() => () => URL.revokeObjectURL(url.current), []);

    const choose = (file: File | undefined) => {
        setError('');
        setStatus('');
        if (!file) return;
        URL.revokeObjectURL(url.current);
        url.current = URL.createObjectURL(file);
        const img = new Image();
        img.onload = () => {
            setImage(img);
            setCrop(centreCrop(img.naturalWidth, img.naturalHeight, VIEW));
        };
        img.onerror = () => {
            setImage(null);
            setError(t('picture.notImage'));
        };
        img.src = url.current;
    };

    const move = (next: Crop) => image && setCrop(clampCrop(next, image.naturalWidth, image.naturalHeight, VIEW));

    const refresh = async () => receiveUsersAndMe(await client.me());

    const save = async () => {
        if (!image || busy) return;
        setBusy(true);
        setError('');
        try {
            const {sx, sy, side} = sourceSquare(crop, image.naturalWidth, image.naturalHeight, VIEW);
            const canvas = document.createElement('canvas');
            canvas.width = canvas.height = Math.min(OUTPUT, Math.round(side));
            canvas.getContext('2d')!.drawImage(image, sx, sy, side, side, 0, 0, canvas.width, canvas.height);
            const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
            if (!blob) throw new Error('canvas');
            await client.setProfileImage(me.id, blob);
            await refresh();
            setImage(null);
            setStatus(t('picture.saved'));
            chooser.current?.focus(); // the button that was focused is gone
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };

    const reset = async () => {
        if (busy) return;
        setBusy(true);
        setError('');
        try {
            await client.resetProfileImage(me.id);
            await refresh();
            setImage(null);
            setStatus(t('picture.resetDone'));
            chooser.current?.focus();
        } catch (err) {
            setError(errorText(err));
        } finally {
            setBusy(false);
        }
    };

    const s = image ? coverScale(image.naturalWidth, image.naturalHeight, VIEW) * crop.zoom : 1;
    return (
        <div className="picture-editor">
            {image ? (
                <>
                    <div
                        className="crop-view"
                        style={{width: VIEW, height: VIEW}}
                        role="img"
                        tabIndex={0}
                        aria-label={t('picture.crop')}
                        aria-describedby="crop-hint"
                        onPointerDown={(e) => {
                            e.currentTarget.setPointerCapture(e.pointerId);
                            drag.current = {px: e.clientX, py: e.clientY, x: crop.x, y: crop.y};
                        }}
                        onPointerMove={(e) => {
                            const d = drag.current;
                            if (d) move({...crop, x: d.x + e.clientX - d.px, y: d.y + e.clientY - d.py});
                        }}
                        onPointerUp={() => (drag.current = null)}
                        onKeyDown={(e) => {
                            const dx = e.key === 'ArrowLeft' ? STEP : e.key === 'ArrowRight' ? -STEP : 0;
                            const dy = e.key === 'ArrowUp' ? STEP : e.key === 'ArrowDown' ? -STEP : 0;
                            if (dx || dy) {
                                e.preventDefault();
                                move({...crop, x: crop.x + dx, y: crop.y + dy});
                            }
                        }}
                    >
                        <img src={image.src} alt="" draggable={false} style={{width: image.naturalWidth * s, height: image.naturalHeight * s, transform: `translate(${crop.x}px, ${crop.y}px)`}} />
                    </div>
                    <p id="crop-hint" className="muted">
                        {t('picture.hint')}
                    </p>
                    <label>
                        {t('picture.zoom')}
                        <input
                            type="range"
                            min={1}
                            max={4}
                            step={0.05}
                            value={crop.zoom}
                            onChange={(e) => setCrop(zoomTo(crop, Number(e.target.value), image.naturalWidth, image.naturalHeight, VIEW))}
                        />
                    </label>
                </>
            ) : (
                <Avatar userId={me.id} size={96} />
            )}
            <div className="row">
                <label className="file-button">
                    {t('picture.choose')}
                    <input ref={chooser} type="file" accept="image/png,image/jpeg,image/gif,image/webp" onChange={(e) => (choose(e.target.files?.[0]), (e.target.value = ''))} />
                </label>
                {image && (
                    <button type="button" className="primary" onClick={save} aria-busy={busy}>
                        {t('picture.save')}
                    </button>
                )}
                {!image && (me.last_picture_update ?? 0) > 0 && (
                    <button type="button" onClick={reset} aria-busy={busy}>
                        {t('picture.reset')}
                    </button>
                )}
            </div>
            <FormStatus error={error} status={status} />
        </div>
    );
}

function receiveUsersAndMe(user: User) {
    receiveUsers([user]);
    update(() => ({me: user}));
}
