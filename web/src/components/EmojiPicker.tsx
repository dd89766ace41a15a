import {type ReactNode, useMemo, useState} from 'react';
import {customEmojiUrl, searchCustom} from '../emoji/custom';
import {searchEmoji} from '../emoji/names';
import {useT} from '../i18n/useT';
import {useStore} from '../state/store';
import {Dialog} from './common';
import {CustomEmojiManager} from './CustomEmojiManager';
import '../emoji/emoji.css';

/** The community's custom emoji, then the standard Unicode set, searchable by name; a button leads to adding
 * custom emoji. */
export default function EmojiPicker({onPick, onClose}: {onPick: (name: string) => void; onClose: () => void}) {
    const t = useT();
    const [query, setQuery] = useState('');
    const [managing, setManaging] = useState(false);
    const all = useStore((s) => s.customEmoji);
    const custom = useMemo(() => searchCustom(all, query, query ? 120 : 400), [all, query]);
    const results = useMemo(() => searchEmoji(query, query ? 120 : 400), [query]);
    if (managing) return <CustomEmojiManager onClose={() => setManaging(false)} />;
    const first = custom[0]?.name ?? results[0]?.name;
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
                    if (e.key === 'Enter' && first) onPick(first);
                }}
            />
            <div className="emoji-sections">
                <EmojiSection id="emoji-custom-heading" title={t('emoji.custom')}>
                    {custom.map((e) => (
                        <EmojiOption key={e.id} name={e.name} onPick={onPick}>
                            <img className="custom-emoji" src={customEmojiUrl(e.id)} alt="" width={28} height={28} loading="lazy" />
                        </EmojiOption>
                    ))}
                </EmojiSection>
                <EmojiSection id="emoji-standard-heading" title={t('emoji.standard')}>
                    {results.map((e) => (
                        <EmojiOption key={e.name} name={e.name} onPick={onPick}>
                            {e.char}
                        </EmojiOption>
                    ))}
                </EmojiSection>
                {results.length === 0 && custom.length === 0 && <p className="muted">{t('emoji.none')}</p>}
            </div>
            <button type="button" className="link-button" onClick={() => setManaging(true)}>
                {t('customEmoji.manage')}
            </button>
        </Dialog>
    );
}

/** A titled listbox of emoji; nothing when it has none. */
function EmojiSection({id, title, children}: {id: string; title: string; children: ReactNode[]}) {
    if (!children.length) return null;
    return (
        <div>
            <h3 id={id} className="emoji-heading">
                {title}
            </h3>
            <div className="emoji-grid" role="listbox" aria-labelledby={id}>
                {children}
            </div>
        </div>
    );
}

function EmojiOption({name, onPick, children}: {name: string; onPick: (name: string) => void; children: ReactNode}) {
    return (
        <button type="button" role="option" aria-selected="false" className="emoji-cell" title={`:${name}:`} aria-label={`:${name}:`} onClick={() => onPick(name)}>
            {children}
        </button>
    );
}
