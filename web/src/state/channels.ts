// Pure channel logic: unread and mention counts, live `posted` bookkeeping, and the sidebar's sections.
import type {Channel, ChannelMember, Post, User} from '../api/types';

export const isDirect = (c: Channel) => c.type === 'D' || c.type === 'G';
export const isMuted = (m: ChannelMember | undefined) => m?.notify_props?.mark_unread === 'mention';

/** Unread root posts (collapsed threads: replies are counted in the Threads view). */
export function unreadCount(channel: Channel, member: ChannelMember | undefined): number {
    if (!member) return 0;
    const total = channel.total_msg_count_root ?? channel.total_msg_count;
    const seen = member.msg_count_root ?? member.msg_count;
    return Math.max(0, total - seen);
}

export function mentionCount(member: ChannelMember | undefined): number {
    return member ? (member.mention_count_root ?? member.mention_count) : 0;
}

/** A `posted` event: the channel has one more post; the member has seen it when it is theirs or on screen, and
 * is mentioned when the event's `mentions` names them. */
export function applyPosted(
    channel: Channel,
    member: ChannelMember | undefined,
    post: Post,
    opts: {meId: string; mentioned: boolean; viewing: boolean},
): {channel: Channel; member: ChannelMember | undefined} {
    const isRoot = !post.root_id;
    const next: Channel = {
        ...channel,
        last_post_at: Math.max(channel.last_post_at, post.create_at),
        last_root_post_at: isRoot ? Math.max(channel.last_root_post_at ?? 0, post.create_at) : channel.last_root_post_at,
        total_msg_count: channel.total_msg_count + 1,
        total_msg_count_root: (channel.total_msg_count_root ?? channel.total_msg_count) + (isRoot ? 1 : 0),
    };
    if (!member) return {channel: next, member};
    const seen = post.user_id === opts.meId || opts.viewing;
    const m: ChannelMember = {...member};
    if (seen) {
        m.msg_count = next.total_msg_count;
        m.msg_count_root = next.total_msg_count_root;
        m.last_viewed_at = Math.max(m.last_viewed_at, post.create_at);
    } else if (opts.mentioned) {
        m.mention_count += 1;
        if (isRoot) m.mention_count_root = (m.mention_count_root ?? 0) + 1;
    }
    return {channel: next, member: m};
}

/** The member after viewing the channel: everything read, no mentions. */
export function markViewed(channel: Channel, member: ChannelMember, at: number): ChannelMember {
    return {
        ...member,
        msg_count: channel.total_msg_count,
        msg_count_root: channel.total_msg_count_root ?? channel.total_msg_count,
        mention_count: 0,
        mention_count_root: 0,
        last_viewed_at: Math.max(member.last_viewed_at, at),
    };
}

/** The other people in a direct or group channel (Mattermost names DMs `<id>__<id>`). */
export function directUserIds(channel: Channel, meId: string): string[] {
    if (channel.type === 'D') {
        const ids = channel.name.split('__');
        const other = ids.find((id) => id !== meId);
        return [other ?? meId];
    }
    return [];
}

export function channelTitle(channel: Channel, meId: string, users: Record<string, User>): string {
    if (channel.type === 'D') {
        const user = users[directUserIds(channel, meId)[0]];
        return user ? user.username : channel.display_name || '…';
    }
    return channel.display_name || channel.name;
}

export interface SidebarSection {
    key: 'favorites' | 'channels' | 'direct';
    channels: Channel[];
}

/** Favorites, Channels (public and private, by name) and Direct Messages (most recent first). Archived
 * channels stay visible only while they are open. */
export function sidebarSections(
    channels: Channel[],
    favorites: Set<string>,
    meId: string,
    users: Record<string, User>,
    locale: string,
    openChannelId?: string,
): SidebarSection[] {
    const visible = channels.filter((c) => !c.delete_at || c.id === openChannelId);
    const byName = (a: Channel, b: Channel) => channelTitle(a, meId, users).localeCompare(channelTitle(b, meId, users), locale);
    const fav = visible.filter((c) => favorites.has(c.id)).sort(byName);
    const rest = visible.filter((c) => !favorites.has(c.id));
    const sections: SidebarSection[] = [];
    if (fav.length) sections.push({key: 'favorites', channels: fav});
    sections.push({key: 'channels', channels: rest.filter((c) => !isDirect(c)).sort(byName)});
    sections.push({key: 'direct', channels: rest.filter(isDirect).sort((a, b) => b.last_post_at - a.last_post_at || byName(a, b))});
    return sections;
}
