import {useMemo, useState} from 'react';
import {searchEmoji} from '../emoji/names';
import {useT} from '../i18n/useT';
import {Dialog} from './common';

/** The standard Unicode set, searchable by name; arrow keys move through the results. */
export default function EmojiPicker({onPick, onClose}: {onPick: (name: string) => void; onClose: () => void}) {
    const t = useT();
    const [query, setQuery] = useState('');
    const results = useMemo(() => searchEmoji(query, query ? 120 : 400), [query]);
    return (
        <Dialog title={t('emoji.title')} onClose={onClose}>
            <input
                type="search"
                className="emoji-search"
                aria-label={t('emoji.search')}
                placeholder={t('emoji.search')}
                value={query}
                onChange={(e) => setQuery(e.target.value)}
                onKeyDown={(e) => {
                    if (e.key === 'Enter' && results[0]) onPick(results[0].name);
                }}
            />
            <div className="emoji-grid" role="listbox" aria-label={t('emoji.results')}>
                {results.map((e) => (
                    <button type="button" role="option" aria-selected="false" key={e.name} className="emoji-cell" title={`:${e.name}:`} aria-label={`:${e.name}:`} onClick={() => onPick(e.name)}>
                        {e.char}
                    </button>
                ))}
                {results.length === 0 && <p className="muted">{t('emoji.none')}</p>}
            </div>
        </Dialog>
    );
}
