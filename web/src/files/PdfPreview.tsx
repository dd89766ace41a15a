// The first page of a PDF drawn with pdf.js (a lazy chunk, its worker a same-site file): the server serves PDFs
// as attachments under `CSP: sandbox`, where the browser's own viewer does not run, and makes no preview.
import {getDocument, GlobalWorkerOptions} from 'pdfjs-dist';
import PdfWorker from 'pdfjs-dist/build/pdf.worker.min.mjs?worker';
import {useEffect, useRef, useState} from 'react';
import type {FileInfo} from '../api/types';
import {useT} from '../i18n/useT';
import {fileUrl} from './kinds';

GlobalWorkerOptions.workerPort = new PdfWorker(); // bundled as a .js asset, served with a script type

const WIDTH = 320; // CSS pixels

export default function PdfPreview({info}: {info: FileInfo}) {
    const t = useT();
    const canvas = useRef<HTMLCanvasElement>(null);
    const [pages, setPages] = useState(0);
    useEffect(() => {
        // Range requests (the server answers them) fetch only what the first page needs.
        const task = getDocument({url: fileUrl(info.id), withCredentials: true, isEvalSupported: false, disableAutoFetch: true, enableXfa: false});
        let live = true;
        task.promise
            .then(async (pdf) => {
                const page = await pdf.getPage(1);
                const base = page.getViewport({scale: 1});
                const ratio = window.devicePixelRatio || 1;
                const viewport = page.getViewport({scale: (WIDTH / base.width) * ratio});
                const el = canvas.current;
                if (!live || !el) return;
                el.width = Math.floor(viewport.width);
                el.height = Math.floor(viewport.height);
                el.style.width = `${WIDTH}px`;
                el.style.height = `${Math.round(viewport.height / ratio)}px`;
                await page.render({canvas: el, viewport}).promise;
                if (live) setPages(pdf.numPages);
            })
            .catch(() => undefined); // not a readable PDF: the download card remains
        return () => {
            live = false;
            void task.destroy();
        };
    }, [info.id]);
    return (
        <div className="pdf-preview" hidden={!pages}>
            <canvas ref={canvas} role="img" aria-label={t('files.pdfPage', {name: info.name})} />
            <span className="muted">{t('files.pdfPages', {count: pages})}</span>
        </div>
    );
}
