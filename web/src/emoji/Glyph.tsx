import {useStore} from '../state/store';
import {customEmojiUrl} from './custom';
import {emojiChar} from './names';

/** An emoji by name: the Unicode character, a custom emoji's image, or the `:name:` text when neither exists.
 * `label`: whether it names itself to screen readers (not when the surrounding control already does). */
import './emoji.css';

export function EmojiGlyph({name, label = true}: {name: string; label?: boolean}) {
    const custom = useStore((s) => s.customEmoji[name]);
    const char = emojiChar(name);
    const a11y = label ? {role: 'img', 'aria-label': `:${name}:`} : {'aria-hidden': true};
    if (char) {
        return (
            <span className="emoji" title={`:${name}:`} {...a11y}>
                {char}
            </span>
        );
    }
    if (custom) return <img className="emoji custom-emoji" src={customEmojiUrl(custom.id)} alt={label ? `:${name}:` : ''} title={`:${name}:`} width={20} height={20} />;
    return <>{`:${name}:`}</>;
}
