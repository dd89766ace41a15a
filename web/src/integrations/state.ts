// The integrations pages' rules, kept out of the components so they are unit-tested: who may do what, how
// typed lists become the API's arrays, and how a bridge form becomes its config (secrets never shown back).
import type {Bridge, BridgeKind, OutgoingDraft} from './api';

export type Section = 'incoming' | 'outgoing' | 'commands' | 'bots';

/** Which sections someone may manage. Mattermost's defaults: team admins and system admins manage webhooks
 * and commands; bots are for system admins, or everyone but guests when `bot_creation` is `members`. */
export function allowedSections(systemRoles: string, teamRoles: string, config: Record<string, unknown>): Section[] {
    const roles = new Set([...systemRoles.split(' '), ...teamRoles.split(' ')]);
    const admin = roles.has('system_admin') || roles.has('team_admin');
    const on = (key: string) => config[key] === true || config[key] === 'true';
    const out: Section[] = [];
    if (admin && on('EnableIncomingWebhooks')) out.push('incoming');
    if (admin && on('EnableOutgoingWebhooks')) out.push('outgoing');
    if (admin && on('EnableCommands')) out.push('commands');
    const bots = config.KafanaBotCreation;
    if ((roles.has('system_admin') && bots !== 'off') || (bots === 'members' && !roles.has('system_guest'))) out.push('bots');
    return out;
}

/** Trigger words: separated by commas, spaces or lines, each once, in the order typed. */
export function splitWords(text: string): string[] {
    return [...new Set(text.split(/[\s,]+/).filter(Boolean))];
}

/** Callback URLs: one a line. */
export function splitLines(text: string): string[] {
    return [...new Set(text.split('\n').map((l) => l.trim()).filter(Boolean))];
}

/** The outgoing webhook form: its lists as typed text, filled from the hook when editing one. */
export type OutgoingForm = Omit<OutgoingDraft, 'trigger_words' | 'callback_urls'> & {words: string; urls: string};

export function outgoingForm(hook?: OutgoingDraft): OutgoingForm {
    return {
        display_name: hook?.display_name ?? '',
        description: hook?.description ?? '',
        channel_id: hook?.channel_id ?? '',
        words: hook?.trigger_words.join(', ') ?? '',
        trigger_when: hook?.trigger_when ?? 0,
        urls: hook?.callback_urls.join('\n') ?? '',
        content_type: hook?.content_type || 'application/x-www-form-urlencoded',
    };
}

/** What the form sends (create and update alike). */
export function outgoingDraft({words, urls, ...rest}: OutgoingForm): OutgoingDraft {
    return {...rest, trigger_words: splitWords(words), callback_urls: splitLines(urls)};
}

/** The address an incoming webhook is posted to (Mattermost's /hooks/{id}, outside /api/v4). */
export function hookUrl(origin: string, id: string): string {
    return `${origin}/hooks/${id}`;
}

/** A bridge form's fields by kind, in order; `secret` ones are password inputs, never filled from the server. */
export const BRIDGE_FIELDS: Record<BridgeKind, {name: string; secret?: boolean; check?: boolean; optional?: boolean}[]> = {
    irc: [
        {name: 'server'},
        {name: 'tls', check: true},
        {name: 'nick'},
        {name: 'channel'},
        {name: 'sasl_user', optional: true},
        {name: 'sasl_password', secret: true, optional: true},
    ],
    telegram: [{name: 'token', secret: true}, {name: 'chat_id'}, {name: 'api_url', optional: true}],
    discord: [{name: 'token', secret: true}, {name: 'channel_id'}, {name: 'api_url', optional: true}, {name: 'gateway_url', optional: true}],
};

export type BridgeForm = Record<string, string | boolean>;

/** The config to send for a kind: its own fields only (a switch of kind leaves no other kind's values),
 * text trimmed, optional ones left out when empty. Returns the first missing required field, if any. */
export function bridgeConfig(kind: BridgeKind, form: BridgeForm): {config: Record<string, unknown>; missing: string} {
    const config: Record<string, unknown> = {};
    let missing = '';
    for (const field of BRIDGE_FIELDS[kind]) {
        const value = form[field.name];
        if (field.check) {
            config[field.name] = value === true;
            continue;
        }
        const text = typeof value === 'string' ? value.trim() : '';
        if (text) config[field.name] = text;
        else if (!field.optional && !missing) missing = field.name;
    }
    return {config, missing};
}

/** Where a bridge relays to, in the remote network's own terms (from its config, which has no secrets). */
export function bridgeTarget(bridge: Bridge): string {
    const c = bridge.config;
    const text = (key: string) => (typeof c[key] === 'string' ? (c[key] as string) : '');
    if (bridge.kind === 'irc') return `${text('channel')} @ ${text('server')}${c.port ? ':' + String(c.port) : ''}${c.tls ? ' (TLS)' : ''}`;
    if (bridge.kind === 'telegram') return text('chat_id') + (text('api_url') ? ` @ ${text('api_url')}` : '');
    return text('channel_id') + (text('api_url') ? ` @ ${text('api_url')}` : '');
}
