// The subset of Mattermost API v4 objects the web client reads.

export interface User {
    id: string;
    username: string;
    email?: string;
    nickname: string;
    first_name: string;
    last_name: string;
    position?: string;
    locale: string;
    roles: string;
    delete_at: number;
    update_at: number;
    timezone?: {useAutomaticTimezone: string | boolean; automaticTimezone: string; manualTimezone: string};
    notify_props?: Record<string, string>; // only in one's own user: desktop, desktop_sound, desktop_threads, …
    props?: Record<string, string>;
    last_picture_update?: number;
    mfa_active?: boolean;
    auth_service?: string;
    last_activity_at?: number;
}

export interface Team {
    id: string;
    name: string;
    display_name: string;
    type: 'O' | 'I';
    delete_at: number;
    invite_id?: string;
}

export type ChannelType = 'O' | 'P' | 'D' | 'G';

export interface Channel {
    id: string;
    team_id: string;
    type: ChannelType;
    name: string;
    display_name: string;
    header: string;
    purpose: string;
    delete_at: number;
    last_post_at: number;
    last_root_post_at?: number;
    total_msg_count: number;
    total_msg_count_root?: number;
    creator_id: string;
}

export interface ChannelMember {
    channel_id: string;
    user_id: string;
    roles: string;
    last_viewed_at: number;
    msg_count: number;
    msg_count_root?: number;
    mention_count: number;
    mention_count_root?: number;
    notify_props: Record<string, string>;
}

export interface Reaction {
    user_id: string;
    post_id: string;
    emoji_name: string;
    create_at: number;
}

export interface Post {
    id: string;
    create_at: number;
    update_at: number;
    edit_at: number;
    delete_at: number;
    is_pinned: boolean;
    user_id: string;
    channel_id: string;
    root_id: string;
    message: string;
    type: string;
    props: Record<string, unknown>;
    pending_post_id?: string;
    reply_count?: number;
    file_ids?: string[];
    metadata?: PostMetadata;
}

/** A slash command as the autocomplete lists it (built-in or the team's custom ones). */
export interface Command {
    trigger: string;
    auto_complete_desc: string;
    auto_complete_hint: string;
}

/** Mattermost's CommandResponse: what running a command answers. */
export interface CommandResponse {
    response_type: string;
    text: string;
    goto_location: string;
}

export interface PostMetadata {
    reactions?: Reaction[];
    files?: FileInfo[];
    embeds?: Embed[];
    emojis?: CustomEmoji[];
}

export interface FileInfo {
    id: string;
    user_id: string;
    post_id: string;
    channel_id: string;
    create_at: number;
    name: string;
    extension: string;
    size: number;
    mime_type: string;
    width: number;
    height: number;
    has_preview_image: boolean;
    mini_preview?: string | null;
}

export interface CustomEmoji {
    id: string;
    creator_id: string;
    name: string;
    create_at: number;
    delete_at: number;
}

export interface OpenGraphImage {
    url: string;
    secure_url?: string;
    width?: number;
    height?: number;
}

export interface Embed {
    type: string;
    url: string;
    data?: {title?: string; description?: string; site_name?: string; url?: string; images?: OpenGraphImage[] | null};
}

export interface PostList {
    order: string[];
    posts: Record<string, Post>;
    next_post_id: string;
    prev_post_id: string;
    has_next?: boolean;
}

export interface SearchParams {
    terms: string;
    is_or_search: boolean;
    time_zone_offset: number;
    page: number;
    per_page: number;
}

export interface SearchPostList extends PostList {
    /** The words each post matched, as the post spells them. */
    matches?: Record<string, string[]>;
}

export interface FileInfoList {
    order: string[];
    file_infos: Record<string, FileInfo>;
    has_next?: boolean;
}

export interface Preference {
    user_id: string;
    category: string;
    name: string;
    value: string;
}

export interface Status {
    user_id: string;
    status: 'online' | 'away' | 'dnd' | 'offline';
    manual?: boolean;
    last_activity_at?: number;
    /** Seconds; 0 when do-not-disturb has no end. */
    dnd_end_time?: number;
}

/** A custom status as Mattermost stores it (JSON in the user's props.customStatus). */
export interface CustomStatus {
    emoji: string;
    text: string;
    duration: '' | 'thirty_minutes' | 'one_hour' | 'four_hours' | 'today' | 'this_week' | 'date_and_time';
    /** ISO 8601; Go's zero time or absent when it does not expire. */
    expires_at?: string;
}

export interface UserThread {
    id: string;
    reply_count: number;
    last_reply_at: number;
    last_viewed_at: number;
    participants: User[];
    post: Post;
    unread_replies: number;
    unread_mentions: number;
    is_following?: boolean;
}

export interface UserThreadList {
    total: number;
    total_unread_threads: number;
    total_unread_mentions: number;
    threads: UserThread[];
}

export interface ServerError {
    id: string;
    message: string;
    status_code: number;
}

/** A login session (GET /users/{id}/sessions); props name the device (platform, os, browser) and, Kafana's
 * kafana_current, the session making the request. */
export interface Session {
    id: string;
    create_at: number;
    expires_at: number;
    last_activity_at: number;
    user_id: string;
    device_id: string;
    props: Record<string, string>;
}

export interface Audit {
    id: string;
    create_at: number;
    user_id: string;
    action: string;
    extra_info: string;
    ip_address: string;
    session_id: string;
}

/** A setting that changes without a restart (GET /kafana/settings, system admins). */
export interface LiveSetting {
    name: string;
    type: 'boolean' | 'integer' | 'number' | 'string' | 'choice';
    choices?: string[];
    value: unknown;
    default: unknown;
    overridden: boolean;
}

export interface InviteInfo {
    id: string;
    name: string;
    display_name: string;
}
