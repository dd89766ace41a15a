// Mattermost's integration routes (/hooks, /commands, /bots, /users/{id}/tokens) and Kafana's bridge admin
// routes (/kafana/bridges); docs/integrations.md and docs/bridges.md give their fields.
import {client} from '../api/client';

export interface IncomingHook {
    id: string;
    channel_id: string;
    team_id: string;
    user_id: string;
    display_name: string;
    description: string;
    username: string;
    icon_url: string;
    channel_locked: boolean;
}
export type IncomingDraft = Pick<IncomingHook, 'channel_id' | 'display_name' | 'description' | 'username' | 'icon_url' | 'channel_locked'>;

export interface OutgoingHook {
    id: string;
    token: string;
    team_id: string;
    channel_id: string;
    creator_id: string;
    trigger_words: string[];
    /** 0: the first word is a trigger word; 1: the message starts with one. */
    trigger_when: number;
    callback_urls: string[];
    display_name: string;
    description: string;
    content_type: string;
    username: string;
    icon_url: string;
}
export type OutgoingDraft = Pick<OutgoingHook, 'channel_id' | 'trigger_words' | 'trigger_when' | 'callback_urls' | 'display_name' | 'description' | 'content_type'>;

export interface CustomCommand {
    id: string;
    token: string;
    team_id: string;
    creator_id: string;
    trigger: string;
    /** P: POST form, G: GET query. */
    method: 'P' | 'G';
    url: string;
    display_name: string;
    description: string;
    username: string;
    icon_url: string;
    auto_complete: boolean;
    auto_complete_desc: string;
    auto_complete_hint: string;
}
export type CommandDraft = Pick<CustomCommand, 'trigger' | 'method' | 'url' | 'display_name' | 'description' | 'auto_complete' | 'auto_complete_desc' | 'auto_complete_hint'>;

export interface Bot {
    user_id: string;
    username: string;
    display_name: string;
    description: string;
    owner_id: string;
    delete_at: number;
}
export interface AccessToken {
    id: string;
    user_id: string;
    description: string;
    is_active: boolean;
    /** Only in the answer that made it: shown once. */
    token?: string;
}

export type BridgeKind = 'irc' | 'telegram' | 'discord';
export interface Bridge {
    id: string;
    kind: BridgeKind;
    channel_id: string;
    bot_user_id: string;
    /** The stored config; a secret (token, password) is only `true` when set. */
    config: Record<string, unknown>;
    enabled: boolean;
    create_at: number;
}

const r = client.request.bind(client);

export const integrationsApi = {
    incoming: (teamId: string) => r<IncomingHook[]>('GET', `/hooks/incoming?team_id=${teamId}&per_page=200`),
    createIncoming: (draft: IncomingDraft) => r<IncomingHook>('POST', '/hooks/incoming', draft),
    updateIncoming: (hook: IncomingHook, draft: IncomingDraft) => r<IncomingHook>('PUT', `/hooks/incoming/${hook.id}`, {...hook, ...draft}),
    deleteIncoming: (id: string) => r<unknown>('DELETE', `/hooks/incoming/${id}`),

    outgoing: (teamId: string) => r<OutgoingHook[]>('GET', `/hooks/outgoing?team_id=${teamId}&per_page=200`),
    createOutgoing: (teamId: string, draft: OutgoingDraft) => r<OutgoingHook>('POST', '/hooks/outgoing', {...draft, team_id: teamId}),
    updateOutgoing: (hook: OutgoingHook, draft: OutgoingDraft) => r<OutgoingHook>('PUT', `/hooks/outgoing/${hook.id}`, {...hook, ...draft}),
    regenOutgoingToken: (id: string) => r<OutgoingHook>('POST', `/hooks/outgoing/${id}/regen_token`),
    deleteOutgoing: (id: string) => r<unknown>('DELETE', `/hooks/outgoing/${id}`),

    commands: (teamId: string) => r<CustomCommand[]>('GET', `/commands?team_id=${teamId}&custom_only=true`),
    createCommand: (teamId: string, draft: CommandDraft) => r<CustomCommand>('POST', '/commands', {...draft, team_id: teamId}),
    updateCommand: (command: CustomCommand, draft: CommandDraft) => r<CustomCommand>('PUT', `/commands/${command.id}`, {...command, ...draft}),
    regenCommandToken: (id: string) => r<{token: string}>('PUT', `/commands/${id}/regen_token`),
    deleteCommand: (id: string) => r<unknown>('DELETE', `/commands/${id}`),

    bots: () => r<Bot[]>('GET', '/bots?include_deleted=true&per_page=200'),
    createBot: (username: string, displayName: string, description: string) =>
        r<Bot>('POST', '/bots', {username, display_name: displayName, description}),
    setBotEnabled: (id: string, enabled: boolean) => r<Bot>('POST', `/bots/${id}/${enabled ? 'enable' : 'disable'}`),
    tokens: (userId: string) => r<AccessToken[]>('GET', `/users/${userId}/tokens?per_page=200`),
    createToken: (userId: string, description: string) => r<AccessToken>('POST', `/users/${userId}/tokens`, {description}),
    revokeToken: (tokenId: string) => r<unknown>('POST', '/users/tokens/revoke', {token_id: tokenId}),

    teamRoles: (teamId: string) => r<{roles: string}>('GET', `/teams/${teamId}/members/me`).then((m) => m.roles),

    bridges: () => r<Bridge[]>('GET', '/kafana/bridges'),
    addBridge: (kind: BridgeKind, channel: string, config: Record<string, unknown>) => r<Bridge>('POST', '/kafana/bridges', {kind, channel, config}),
    removeBridge: (id: string) => r<unknown>('DELETE', `/kafana/bridges/${id}`),
};
