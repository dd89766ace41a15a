import type {Post} from '../api/types';

type T = (id: string, values?: Record<string, string>) => string;

const PLAIN: Record<string, string> = {
    system_join_channel: 'system.joinChannel',
    system_join_team: 'system.joinTeam',
    system_leave_channel: 'system.leaveChannel',
    system_leave_team: 'system.leaveTeam',
    system_channel_deleted: 'system.archived',
    system_channel_restored: 'system.unarchived',
};

const BY_SOMEONE: Record<string, [string, string]> = {
    system_add_to_channel: ['system.addedToChannel', 'addedUsername'],
    system_add_to_team: ['system.addedToTeam', 'addedUsername'],
    system_remove_from_channel: ['system.removedFromChannel', 'removedUsername'],
    system_remove_from_team: ['system.removedFromTeam', 'removedUsername'],
};

const CHANGES: Record<string, string> = {system_header_change: 'header', system_purpose_change: 'purpose'};

/**
 * A system post's text in the reader's language, from its props as Mattermost's web app does (the server's
 * `message` is English, and stays the fallback for types this client does not know). The result is Markdown:
 * a header's own formatting shows as it does in the header.
 */
export function systemText(post: Post, t: T): string {
    const props = post.props ?? {};
    const prop = (name: string) => (typeof props[name] === 'string' ? (props[name] as string) : '');
    const at = (name: string) => '@' + prop(name);
    if (PLAIN[post.type] && prop('username')) return t(PLAIN[post.type], {user: at('username')});
    const by = BY_SOMEONE[post.type];
    if (by && prop(by[1])) return t(by[0], {user: at(by[1]), by: at('username')});
    const what = CHANGES[post.type];
    if (what) {
        const [old, now] = [prop('old_' + what), prop('new_' + what)];
        const variant = !old ? 'set' : !now ? 'removed' : 'changed';
        return t(`system.${what}.${variant}`, {user: at('username'), old, new: now});
    }
    if (post.type === 'system_displayname_change') {
        return t('system.renamed', {user: at('username'), old: prop('old_displayname'), new: prop('new_displayname')});
    }
    if (post.type === 'system_change_chan_privacy') {
        return t(post.message.includes('Private') ? 'system.madePrivate' : 'system.madePublic');
    }
    return post.message;
}
