import {useEffect, useId, useLayoutEffect, useRef, useState} from 'react';
import {client} from '../api/client';
import {useT} from '../i18n/useT';
import {openPanel, usePanel, type PanelKind} from '../search/panel';
import {applyHint, completionAt, hintsAt, insertAt, type Hint} from '../search/query';
import {useStore} from '../state/store';

interface Option {
    id: string;
    label: string;
    detail: string;
    pick: (text: string, caret: number) => {text: string; caret: number};
}

const AUTOCOMPLETE_DELAY_MS = 120;

/** The header's search: the box, and the buttons for recent mentions, saved posts and this channel's pins. */
export function HeaderSearch({channelId}: {channelId?: string}) {
    const t = useT();
    const panel = usePanel();
    const button = (kind: PanelKind, icon: string, label: string) => (
        <button
            type="button"
            className="icon-button"
            aria-pressed={panel?.kind === kind}
            aria-label={label}
            title={label}
            onClick={() => openPanel(kind, {channelId})}
        >
            <span aria-hidden="true">{icon}</span>
        </button>
    );
    return (
        <div className="header-search">
            <SearchBox />
            {button('mentions', '@', t('search.mentions'))}
            {button('saved', '🔖', t('search.saved'))}
            {channelId && button('pinned', '📌', t('search.pinned'))}
        </div>
    );
}

/** A combobox: syntax hints while a word starts, people after `from:` and channels after `in:`; Enter
 * searches, ↑/↓ and Enter or Tab pick, Esc closes the list; Ctrl+Shift+F comes here from anywhere. */
export function SearchBox() {
    const t = useT();
    const teamId = useStore((s) => s.teamId);
    const listId = useId();
    const input = useRef<HTMLInputElement>(null);
    const nextCaret = useRef<number | null>(null);
    const [text, setText] = useState('');
    const [caret, setCaret] = useState(0);
    const [open, setOpen] = useState(false);
    const [active, setActive] = useState(-1);
    const [found, setFound] = useState<Option[]>([]);
    const completion = completionAt(text, caret);

    useEffect(() => {
        setFound([]);
        if (!completion || !teamId) return;
        let live = true;
        const timer = setTimeout(async () => {
            try {
                const options: Option[] =
                    completion.kind === 'user'
                        ? (await client.autocompleteUsers(teamId, completion.prefix)).users.map((u) => ({
                              id: 'u' + u.id,
                              label: '@' + u.username,
                              detail: [u.first_name, u.last_name].filter(Boolean).join(' ') || u.nickname,
                              pick: (value) => insertAt(value, completionAt(value, completion.end) ?? completion, u.username),
                          }))
                        : (await client.autocompleteChannels(teamId, completion.prefix)).map((c) => ({
                              id: 'c' + c.id,
                              label: '~' + c.name,
                              detail: c.display_name,
                              pick: (value) => insertAt(value, completionAt(value, completion.end) ?? completion, c.name),
                          }));
                if (live) setFound(options);
            } catch {
                // no suggestions: the search still works
            }
        }, AUTOCOMPLETE_DELAY_MS);
        return () => {
            live = false;
            clearTimeout(timer);
        };
    }, [completion?.kind, completion?.prefix, completion?.end, teamId]);

    useEffect(() => {
        const onKey = (e: KeyboardEvent) => {
            if ((e.ctrlKey || e.metaKey) && e.shiftKey && e.key.toLowerCase() === 'f') {
                e.preventDefault();
                input.current?.focus();
            }
        };
        window.addEventListener('keydown', onKey);
        return () => window.removeEventListener('keydown', onKey);
    }, []);

    useLayoutEffect(() => {
        if (nextCaret.current === null || !input.current) return;
        input.current.setSelectionRange(nextCaret.current, nextCaret.current);
        nextCaret.current = null;
    }, [text]);

    const hintOption = (hint: Hint): Option => ({id: 'h' + hint.insert, label: hint.insert, detail: t(hint.key), pick: (value, at) => applyHint(value, at, hint)});
    const options = completion ? found : hintsAt(text, caret).map(hintOption);
    const shown = open && options.length > 0;

    const change = (value: string, at: number) => {
        setText(value);
        setCaret(at);
        setActive(-1);
        setOpen(true);
    };
    const pick = (option: Option) => {
        const next = option.pick(text, caret);
        nextCaret.current = next.caret;
        change(next.text, next.caret);
    };
    const search = () => {
        const terms = text.trim();
        if (!terms) return;
        setOpen(false);
        openPanel('search', {terms});
    };

    return (
        <form
            className="search-box"
            role="search"
            onSubmit={(e) => {
                e.preventDefault();
                search();
            }}
        >
            <input
                ref={input}
                type="text"
                role="combobox"
                aria-label={t('search.label')}
                aria-autocomplete="list"
                aria-expanded={shown}
                aria-controls={listId}
                aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
                placeholder={t('search.placeholder')}
                value={text}
                autoComplete="off"
                spellCheck={false}
                onChange={(e) => change(e.target.value, e.target.selectionStart ?? e.target.value.length)}
                onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
                onFocus={() => setOpen(true)}
                onBlur={() => setOpen(false)}
                onKeyDown={(e) => {
                    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
                        if (!options.length) return;
                        e.preventDefault();
                        setOpen(true);
                        const n = options.length;
                        setActive((i) => (e.key === 'ArrowDown' ? (i + 1) % n : i <= 0 ? n - 1 : i - 1));
                    } else if ((e.key === 'Enter' || e.key === 'Tab') && shown && active >= 0 && active < options.length) {
                        e.preventDefault();
                        pick(options[active]);
                    } else if (e.key === 'Escape' && shown) {
                        e.preventDefault();
                        e.stopPropagation();
                        setOpen(false);
                    }
                }}
            />
            <ul className="search-suggestions" role="listbox" id={listId} aria-label={t('search.suggestions')} hidden={!shown}>
                {shown &&
                    options.map((option, i) => (
                        <li
                            key={option.id}
                            id={`${listId}-${i}`}
                            role="option"
                            aria-selected={i === active}
                            className={i === active ? 'active' : undefined}
                            onMouseDown={(e) => {
                                e.preventDefault();
                                pick(option);
                            }}
                        >
                            <span className="suggestion-label">{option.label}</span> <span className="muted">{option.detail}</span>
                        </li>
                    ))}
            </ul>
        </form>
    );
}
