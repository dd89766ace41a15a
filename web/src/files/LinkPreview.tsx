import type {Embed, Post} from '../api/types';
import {useT} from '../i18n/useT';
import {safeHref} from '../markdown/Markdown';
import './media.css';

/** The OpenGraph image if the server's image proxy serves it (a same-site /api/v4/image URL); a third-party URL
 * is never loaded, so readers' addresses stay with this server. */
export function proxiedImage(url: string | undefined, origin = location.origin): string | null {
    if (!url) return null;
    try {
        const parsed = new URL(url, origin);
        return parsed.pathname === '/api/v4/image' && parsed.searchParams.has('url') ? parsed.pathname + parsed.search : null;
    } catch {
        return null;
    }
}

/** Whether the author removed the preview (Mattermost's `remove_link_preview` post prop). */
export const previewRemoved = (post: Post) => post.props?.remove_link_preview === 'true';

/** A card for the post's first link: site, title, description and image, as the server fetched them. */
export function LinkPreview({embed, onRemove}: {embed: Embed; onRemove?: () => void}) {
    const t = useT();
    const data = embed.data;
    const href = safeHref(data?.url || embed.url);
    if (embed.type !== 'opengraph' || !data || !href || !(data.title || data.description)) return null;
    const image = data.images?.[0];
    const src = proxiedImage(image?.secure_url || image?.url);
    return (
        <aside className="link-preview" aria-label={t('embed.label', {title: data.title || data.site_name || href})}>
            <div className="link-preview-text">
                {data.site_name && <span className="muted link-preview-site">{data.site_name}</span>}
                {data.title && (
                    <a className="link-preview-title" href={href} target="_blank" rel="noopener noreferrer nofollow">
                        {data.title}
                    </a>
                )}
                {data.description && <p className="link-preview-description">{data.description}</p>}
            </div>
            {src && <img className="link-preview-image" src={src} alt="" loading="lazy" width={80} height={80} />}
            {onRemove && (
                <button type="button" className="icon-button link-preview-remove" aria-label={t('embed.remove')} title={t('embed.remove')} onClick={onRemove}>
                    ×
                </button>
            )}
        </aside>
    );
}
