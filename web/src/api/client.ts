// A small typed client over the public API v4. The browser keeps the session in Mattermost's cookies
// (MMAUTHTOKEN is HttpOnly); writes carry X-Requested-With and the MMCSRF cookie as X-CSRF-Token.
import type {
    Audit,
    Channel,
    ChannelMember,
    Command,
    CommandResponse,
    CustomEmoji,
    CustomStatus,
    FileInfo,
    FileInfoList,
    InviteInfo,
    LiveSetting,
    Post,
    PostList,
    Preference,
    Reaction,
    SearchParams,
    SearchPostList,
    ServerError,
    Session,
    Status,
    Team,
    User,
    UserThread,
    UserThreadList,
} from './types';

export class ApiError extends Error {
    readonly status: number;
    readonly id: string;

    constructor(status: number, id: string, message: string) {
        super(message);
        this.status = status;
        this.id = id;
    }
}

/** A network failure (offline, server down): the request may be retried. */
export class NetworkError extends Error {}

function cookie(name: string): string {
    const match = document.cookie.split('; ').find((c) => c.startsWith(name + '='));
    return match ? decodeURIComponent(match.slice(name.length + 1)) : '';
}

/** `?a=1&b=2` of the non-empty values, or nothing. */
function query(params: Record<string, string | undefined>): string {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => !!e[1]));
    return q.size ? '?' + q : '';
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The headers every write carries (the session is in cookies; these prove the request came from the app). */
function writeHeaders(): Record<string, string> {
    const headers: Record<string, string> = {'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json'};
    const csrf = cookie('MMCSRF');
    if (csrf) headers['X-CSRF-Token'] = csrf;
    return headers;
}

function errorFrom(status: number, text: string, statusText: string): ApiError {
    let err: Partial<ServerError> = {};
    try {
        err = (text ? JSON.parse(text) : {}) ?? {};
    } catch {
        err = {};
    }
    return new ApiError(status, err.id ?? 'http.' + status, err.message ?? (text || statusText));
}

/** An upload under way: its answer, and a way to stop it. */
export interface Upload<T> {
    done: Promise<T>;
    abort: () => void;
}

/** The client-side answer to an aborted upload. */
export class AbortedError extends Error {}

export class Client {
    constructor(private readonly base = '/api/v4') {}

    async request<T>(method: Method, path: string, body?: unknown): Promise<T> {
        const isForm = body instanceof FormData;
        const headers: Record<string, string> = method === 'GET' ? {'X-Requested-With': 'XMLHttpRequest', Accept: 'application/json'} : writeHeaders();
        if (body !== undefined && !isForm) {
            headers['Content-Type'] = 'application/json';
        }
        let response: Response;
        try {
            response = await fetch(this.base + path, {
                method,
                headers,
                credentials: 'same-origin',
                body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
            });
        } catch (err) {
            throw new NetworkError(String(err));
        }
        const text = await response.text();
        if (!response.ok) throw errorFrom(response.status, text, response.statusText);
        try {
            return (text ? JSON.parse(text) : null) as T;
        } catch {
            return null as T;
        }
    }

    /** A multipart POST through XMLHttpRequest, whose upload events report progress (fetch has none for
     * request bodies), and which can be aborted. */
    send<T>(path: string, form: FormData, onProgress: (loaded: number, total: number) => void): Upload<T> {
        const xhr = new XMLHttpRequest();
        const done = new Promise<T>((resolve, reject) => {
            xhr.open('POST', this.base + path);
            for (const [name, value] of Object.entries(writeHeaders())) xhr.setRequestHeader(name, value);
            xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : 0);
            xhr.onload = () => {
                if (xhr.status >= 200 && xhr.status < 300) {
                    try {
                        resolve(JSON.parse(xhr.responseText) as T);
                    } catch {
                        reject(errorFrom(xhr.status, '', xhr.statusText));
                    }
                } else reject(errorFrom(xhr.status, xhr.responseText, xhr.statusText));
            };
            xhr.onerror = () => reject(new NetworkError('upload failed'));
            xhr.onabort = () => reject(new AbortedError('aborted'));
            xhr.send(form);
        });
        return {done, abort: () => xhr.abort()};
    }

    // Users and sessions
    /** `token`: the two-factor code (or a recovery code), once the server has asked for one. */
    login = (loginId: string, password: string, token = '') => this.request<User>('POST', '/users/login', {login_id: loginId, password, token});
    logout = () => this.request<{status: string}>('POST', '/users/logout');
    /** `invite`: a team invite link's id (iid) or an email invitation's token (t). */
    createUser = (user: {email: string; username: string; password: string}, invite: {iid?: string; t?: string} = {}) =>
        this.request<User>('POST', '/users' + query(invite), user);
    me = () => this.request<User>('GET', '/users/me');
    sendPasswordReset = (email: string) => this.request<{status: string}>('POST', '/users/password/reset/send', {email});
    resetPassword = (code: string, newPassword: string) => this.request<{status: string}>('POST', '/users/password/reset', {code, new_password: newPassword});
    channelStats = (channelId: string) => this.request<{channel_id: string; member_count: number}>('GET', `/channels/${channelId}/stats`);
    verifyEmail = (token: string) => this.request<{status: string}>('POST', '/users/email/verify', {token});
    patchMe = (patch: Partial<User>) => this.request<User>('PUT', '/users/me/patch', patch);
    usersByIds = (ids: string[]) => this.request<User[]>('POST', '/users/ids', ids);
    userByUsername = (name: string) => this.request<User>('GET', '/users/username/' + encodeURIComponent(name));
    autocompleteUsers = (teamId: string, name: string) =>
        this.request<{users: User[]}>('GET', `/users/autocomplete?in_team=${teamId}&name=${encodeURIComponent(name)}&limit=25`);
    searchUsers = (term: string, teamId?: string) => this.request<User[]>('POST', '/users/search', {term, team_id: teamId ?? '', allow_inactive: false, limit: 50});
    statusesByIds = (ids: string[]) => this.request<Status[]>('POST', '/users/status/ids', ids);
    status = (userId: string) => this.request<Status>('GET', `/users/${userId}/status`);
    /** dnd_end_time in seconds (0: until changed). */
    setStatus = (userId: string, status: Status['status'], dndEndTime = 0) =>
        this.request<Status>('PUT', `/users/${userId}/status`, {user_id: userId, status, dnd_end_time: dndEndTime});
    setCustomStatus = (userId: string, custom: CustomStatus) => this.request<unknown>('PUT', `/users/${userId}/status/custom`, custom);
    clearCustomStatus = (userId: string) => this.request<unknown>('DELETE', `/users/${userId}/status/custom`);

    // Account security: passwords, two-factor authentication, sessions
    updatePassword = (userId: string, current: string, next: string) =>
        this.request<unknown>('PUT', `/users/${userId}/password`, {current_password: current, new_password: next});
    generateMfa = (userId: string) => this.request<{secret: string; qr_code: string}>('POST', `/users/${userId}/mfa/generate`);
    activateMfa = (userId: string, code: string) => this.request<{recovery_codes: string[]}>('PUT', `/users/${userId}/mfa`, {activate: true, code});
    /** The owner proves it with a code; an admin resets someone else's with none. */
    deactivateMfa = (userId: string, code = '') => this.request<unknown>('PUT', `/users/${userId}/mfa`, {activate: false, code});
    sessions = (userId: string) => this.request<Session[]>('GET', `/users/${userId}/sessions`);
    revokeSession = (userId: string, sessionId: string) => this.request<unknown>('POST', `/users/${userId}/sessions/revoke`, {session_id: sessionId});
    revokeAllSessions = (userId: string) => this.request<unknown>('POST', `/users/${userId}/sessions/revoke/all`);

    // Administration (system admins)
    liveSettings = () => this.request<LiveSetting[]>('GET', '/kafana/settings');
    updateLiveSettings = (changes: Record<string, unknown>) => this.request<LiveSetting[]>('PUT', '/kafana/settings', changes);
    users = (page: number, opts: {inactive?: boolean} = {}) =>
        this.request<User[]>('GET', `/users?page=${page}&per_page=100${opts.inactive ? '&inactive=true' : ''}`);
    searchAllUsers = (term: string) => this.request<User[]>('POST', '/users/search', {term, allow_inactive: true, limit: 100});
    updateRoles = (userId: string, roles: string) => this.request<unknown>('PUT', `/users/${userId}/roles`, {roles});
    setActive = (userId: string, active: boolean) => this.request<unknown>('PUT', `/users/${userId}/active`, {active});
    audits = (page: number, perPage = 200) => this.request<Audit[]>('GET', `/audits?page=${page}&per_page=${perPage}`);
    userAudits = (userId: string) => this.request<Audit[]>('GET', `/users/${userId}/audits?per_page=200`);

    // Teams
    team = (id: string) => this.request<Team>('GET', '/teams/' + id);
    inviteInfo = (inviteId: string) => this.request<InviteInfo>('GET', '/teams/invite/' + encodeURIComponent(inviteId));
    joinByInvite = (inviteId: string) => this.request<unknown>('POST', '/teams/members/invite?invite_id=' + encodeURIComponent(inviteId));
    regenerateInviteId = (teamId: string) => this.request<Team>('POST', `/teams/${teamId}/regenerate_invite_id`);
    myTeams = () => this.request<Team[]>('GET', '/users/me/teams');
    listTeams = () => this.request<Team[]>('GET', '/teams?per_page=200');
    createTeam = (name: string, displayName: string) => this.request<Team>('POST', '/teams', {name, display_name: displayName, type: 'O', allow_open_invite: true});
    joinTeam = (teamId: string, userId: string) => this.request<unknown>('POST', `/teams/${teamId}/members`, {team_id: teamId, user_id: userId});

    // Channels
    myChannels = (teamId: string) => this.request<Channel[]>('GET', `/users/me/teams/${teamId}/channels?include_deleted=true`);
    myMembers = (teamId: string) => this.request<ChannelMember[]>('GET', `/users/me/teams/${teamId}/channels/members`);
    channel = (id: string) => this.request<Channel>('GET', '/channels/' + id);
    channelByName = (teamName: string, name: string) =>
        this.request<Channel>('GET', `/teams/name/${encodeURIComponent(teamName)}/channels/name/${encodeURIComponent(name)}`);
    channelMember = (id: string) => this.request<ChannelMember>('GET', `/channels/${id}/members/me`);
    publicChannels = (teamId: string) => this.request<Channel[]>('GET', `/teams/${teamId}/channels?per_page=200`);
    createChannel = (teamId: string, name: string, displayName: string, type: 'O' | 'P', purpose: string) =>
        this.request<Channel>('POST', '/channels', {team_id: teamId, name, display_name: displayName, type, purpose});
    patchChannel = (id: string, patch: Partial<Channel>) => this.request<Channel>('PUT', `/channels/${id}/patch`, patch);
    joinChannel = (id: string, userId: string) => this.request<ChannelMember>('POST', `/channels/${id}/members`, {user_id: userId});
    /** Returns the member with the new notify_props (Mattermost answers {status: OK}; the member is then refetched). */
    patchNotifyProps = async (channelId: string, userId: string, props: Record<string, string>) => {
        await this.request<unknown>('PUT', `/channels/${channelId}/members/${userId}/notify_props`, props);
        return this.channelMember(channelId);
    };
    leaveChannel = (id: string, userId: string) => this.request<unknown>('DELETE', `/channels/${id}/members/${userId}`);
    archiveChannel = (id: string) => this.request<unknown>('DELETE', '/channels/' + id);
    directChannel = (a: string, b: string) => this.request<Channel>('POST', '/channels/direct', [a, b]);
    groupChannel = (ids: string[]) => this.request<Channel>('POST', '/channels/group', ids);
    viewChannel = (channelId: string, prevChannelId = '') =>
        this.request<unknown>('POST', '/channels/members/me/view', {channel_id: channelId, prev_channel_id: prevChannelId});

    // Posts
    posts = (channelId: string, opts: {before?: string; after?: string; perPage?: number} = {}) => {
        const q = new URLSearchParams({per_page: String(opts.perPage ?? 60)});
        if (opts.before) q.set('before', opts.before);
        if (opts.after) q.set('after', opts.after);
        return this.request<PostList>('GET', `/channels/${channelId}/posts?${q}`);
    };
    postsSince = (channelId: string, since: number) => this.request<PostList>('GET', `/channels/${channelId}/posts?since=${since}`);
    post = (id: string) => this.request<Post>('GET', '/posts/' + id);
    thread = (id: string) => this.request<PostList>('GET', `/posts/${id}/thread`);
    createPost = (post: {channel_id: string; message: string; root_id?: string; pending_post_id: string; file_ids?: string[]}) => this.request<Post>('POST', '/posts', post);
    patchPost = (id: string, message: string) => this.request<Post>('PUT', `/posts/${id}/patch`, {message});
    patchPostProps = (id: string, props: Record<string, unknown>) => this.request<Post>('PUT', `/posts/${id}/patch`, {props});
    deletePost = (id: string) => this.request<unknown>('DELETE', '/posts/' + id);
    commands = (teamId: string) => this.request<Command[]>('GET', `/teams/${teamId}/commands/autocomplete`);
    executeCommand = (channelId: string, command: string, rootId: string, teamId: string) =>
        this.request<CommandResponse>('POST', '/commands/execute', {channel_id: channelId, command, root_id: rootId, team_id: teamId});
    pin = (id: string, on: boolean) => this.request<unknown>('POST', `/posts/${id}/${on ? 'pin' : 'unpin'}`);
    addReaction = (userId: string, postId: string, emoji: string) =>
        this.request<Reaction>('POST', '/reactions', {user_id: userId, post_id: postId, emoji_name: emoji});
    removeReaction = (userId: string, postId: string, emoji: string) =>
        this.request<unknown>('DELETE', `/users/${userId}/posts/${postId}/reactions/${encodeURIComponent(emoji)}`);
    flagged = (userId: string) => this.request<PostList>('GET', `/users/${userId}/posts/flagged?per_page=100`);

    // Files, pictures and custom emoji
    uploadFile = (channelId: string, file: File, clientId: string, onProgress: (loaded: number, total: number) => void) => {
        const form = new FormData();
        form.append('channel_id', channelId);
        form.append('client_ids', clientId);
        form.append('files', file, file.name);
        return this.send<{file_infos: FileInfo[]; client_ids: string[]}>('/files', form, onProgress);
    };
    clientConfig = () => this.request<Record<string, unknown>>('GET', '/config/client?format=old');
    setProfileImage = (userId: string, image: Blob) => {
        const form = new FormData();
        form.append('image', image, 'picture.png');
        return this.request<unknown>('POST', `/users/${userId}/image`, form);
    };
    resetProfileImage = (userId: string) => this.request<unknown>('DELETE', `/users/${userId}/image`);
    customEmoji = (page: number, perPage: number) => this.request<CustomEmoji[]>('GET', `/emoji?page=${page}&per_page=${perPage}&sort=name`);
    createEmoji = (name: string, creatorId: string, image: File) => {
        const form = new FormData();
        form.append('emoji', JSON.stringify({name, creator_id: creatorId}));
        form.append('image', image, image.name);
        return this.request<CustomEmoji>('POST', '/emoji', form);
    };
    deleteEmoji = (id: string) => this.request<unknown>('DELETE', '/emoji/' + id);
    pinned = (channelId: string) => this.request<PostList>('GET', `/channels/${channelId}/pinned`);

    // Search
    searchPosts = (teamId: string, params: SearchParams) => this.request<SearchPostList>('POST', `/teams/${teamId}/posts/search`, params);
    searchFiles = (teamId: string, params: SearchParams) => this.request<FileInfoList>('POST', `/teams/${teamId}/files/search`, params);
    autocompleteChannels = (teamId: string, name: string) =>
        this.request<Channel[]>('GET', `/teams/${teamId}/channels/autocomplete?name=${encodeURIComponent(name)}`);

    // Threads (collapsed reply threads)
    threads = (userId: string, teamId: string) => this.request<UserThreadList>('GET', `/users/${userId}/teams/${teamId}/threads?per_page=50&extended=true`);
    readThread = (userId: string, teamId: string, threadId: string) =>
        this.request<UserThread>('PUT', `/users/${userId}/teams/${teamId}/threads/${threadId}/read/${Date.now()}`);

    // Preferences (favorites, saved posts, display settings)
    preferences = () => this.request<Preference[]>('GET', '/users/me/preferences');
    savePreferences = (userId: string, prefs: Preference[]) => this.request<unknown>('PUT', `/users/${userId}/preferences`, prefs);
    deletePreferences = (userId: string, prefs: Preference[]) => this.request<unknown>('POST', `/users/${userId}/preferences/delete`, prefs);

    // Web Push (Kafana's extension)
    vapidPublicKey = () => this.request<{public_key: string}>('GET', '/kafana/webpush/vapid_public_key');
    subscribePush = (subscription: PushSubscriptionJSON) => this.request<unknown>('POST', '/kafana/webpush/subscriptions', subscription);
    unsubscribePush = (endpoint: string) => this.request<unknown>('DELETE', '/kafana/webpush/subscriptions', {endpoint});
}

export const client = new Client();
