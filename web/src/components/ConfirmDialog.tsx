import {useEffect, useId, useRef, useSyncExternalStore} from 'react';
import {useT} from '../i18n/useT';
import {trapTab} from './common';

export interface ConfirmRequest {
    message: string;
    /** The confirm button's words (say what happens: "Delete", "Archive"), not "OK". */
    confirm: string;
    title?: string;
    /** Deletes, archives, removals: the confirm button is styled as dangerous. */
    destructive?: boolean;
}

interface Open extends ConfirmRequest {
    resolve: (ok: boolean) => void;
}

let open: Open | null = null;
const listeners = new Set<() => void>();
const set = (next: Open | null) => {
    open = next;
    listeners.forEach((l) => l());
};

/** Ask before doing something that cannot be taken back; resolves true when confirmed. Replaces
 * window.confirm(), which is unstyled, untranslated in its buttons, and blocks the page. */
export function askConfirm(request: ConfirmRequest): Promise<boolean> {
    open?.resolve(false);
    return new Promise((resolve) => set({...request, resolve}));
}

const answer = (ok: boolean) => {
    const current = open;
    set(null);
    current?.resolve(ok);
};

/** Mounted once at the root: shows the question askConfirm() asked, as a modal alertdialog. Focus moves to
 * the confirm button and stays in the dialog; Enter confirms, Esc cancels, focus returns where it was. */
export function ConfirmHost() {
    const current = useSyncExternalStore(
        (l) => (listeners.add(l), () => listeners.delete(l)),
        () => open,
    );
    return current ? <ConfirmDialog request={current} /> : null;
}

function ConfirmDialog({request}: {request: ConfirmRequest}) {
    const t = useT();
    const id = useId();
    const ref = useRef<HTMLDivElement>(null);
    const cancelRef = useRef<HTMLButtonElement>(null);
    const confirmRef = useRef<HTMLButtonElement>(null);
    useEffect(() => {
        const before = document.activeElement as HTMLElement | null;
        confirmRef.current?.focus();
        return () => before?.focus?.();
    }, []);
    return (
        <div className="backdrop confirm-backdrop" onMouseDown={(e) => e.target === e.currentTarget && answer(false)}>
            <div
                className="dialog confirm-dialog"
                role="alertdialog"
                aria-modal="true"
                aria-labelledby={request.title ? `${id}-title` : `${id}-message`}
                aria-describedby={request.title ? `${id}-message` : undefined}
                ref={ref}
                onKeyDown={(e) => {
                    if (e.key === 'Escape') {
                        e.stopPropagation();
                        e.preventDefault();
                        answer(false);
                    } else if (e.key === 'Enter' && e.target !== cancelRef.current) {
                        e.preventDefault();
                        answer(true);
                    } else trapTab(e, ref.current);
                }}
            >
                {request.title && <h2 id={`${id}-title`}>{request.title}</h2>}
                <p id={`${id}-message`}>{request.message}</p>
                <div className="confirm-buttons">
                    <button type="button" ref={cancelRef} onClick={() => answer(false)}>
                        {t('common.cancel')}
                    </button>
                    <button type="button" ref={confirmRef} className={request.destructive ? 'primary destructive' : 'primary'} onClick={() => answer(true)}>
                        {request.confirm}
                    </button>
                </div>
            </div>
        </div>
    );
}
