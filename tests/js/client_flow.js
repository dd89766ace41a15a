#!/usr/bin/env node
// Drives a Kafana server with the real @mattermost/client (Client4) and prints what the server returned as JSON.
//
//   node client_flow.js <server url>        (env KAFANA_TEST_PASSWORD: password for the accounts it signs up)
//
// The server must be empty: the first account signed up here must become the system admin.
// Every step is recorded as {ok: true, value} or {ok: false, error}; a step whose prerequisite failed is
// recorded as failed without being run. tests/compat/test_mattermost_client_js.py checks the values field by field.
'use strict';

const {Client4} = require('@mattermost/client');

const url = (process.argv[2] || process.env.KAFANA_TEST_URL || '').replace(/\/+$/, '');
const password = process.env.KAFANA_TEST_PASSWORD || 'correct-horse-battery';
const suffix = process.env.KAFANA_TEST_SUFFIX || String(Date.now() % 100000);

if (!url) {
    process.stderr.write('usage: node client_flow.js <server url>\n');
    process.exit(2);
}

const steps = {};
const order = [];

function describeError(err) {
    const out = {message: String(err && err.message)};
    for (const key of ['server_error_id', 'status_code', 'detailed_error', 'url']) {
        if (err && err[key] !== undefined) {
            out[key] = err[key];
        }
    }
    if (err && err.cause) {
        out.cause = String(err.cause && (err.cause.message || err.cause));
    }
    if (!(err && err.server_error_id) && err && err.stack) {
        out.stack = String(err.stack).split('\n').slice(0, 4).join('\n');
    }
    return out;
}

// Run one step unless a prerequisite failed. Returns the step's value (undefined when it failed).
async function step(name, needs, fn) {
    order.push(name);
    const failed = needs.filter((n) => !(steps[n] && steps[n].ok));
    if (failed.length > 0) {
        steps[name] = {ok: false, skipped: true, error: {message: `prerequisite failed: ${failed.join(', ')}`}};
        return undefined;
    }
    try {
        const value = await fn();
        steps[name] = {ok: true, value: value === undefined ? null : value};
        return value;
    } catch (err) {
        steps[name] = {ok: false, error: describeError(err)};
        return undefined;
    }
}

// What the server answers, as a value to check: resolved data, or the ClientError the call threw.
async function outcome(promise) {
    try {
        return {ok: true, value: await promise};
    } catch (err) {
        return {ok: false, error: describeError(err)};
    }
}

function newClient(token) {
    const client = new Client4();
    client.setUrl(url);
    if (token) {
        client.setToken(token);
    }
    return client;
}

function unreadRoute(client, userId, channelId) {
    return `${client.getUserRoute(userId)}/channels/${channelId}/unread`;
}

async function main() {
    const anon = newClient();
    const names = {admin: `jsadmin${suffix}`, bob: `jsbob${suffix}`, carol: `jscarol${suffix}`, team: `jsteam${suffix}`};
    const clients = {};
    const ids = {};

    // --- T1: the mobile app's server discovery, before login -----------------------------------------------
    await step('head_root', [], async () => {
        const response = await fetch(`${url}/`, {method: 'HEAD', redirect: 'follow'});
        return {status: response.status, x_version_id: response.headers.get('x-version-id')};
    });
    await step('ping', [], () => anon.ping());
    await step('config_client_old', [], () => anon.getClientConfig());
    await step('license_client_old', [], () => anon.getClientLicenseOld());

    // --- accounts -------------------------------------------------------------------------------------------
    for (const who of ['admin', 'bob', 'carol']) {
        await step(`create_user_${who}`, [], () => anon.createUser({username: names[who], email: `${names[who]}@example.com`, password}));
    }
    for (const who of ['admin', 'bob', 'carol']) {
        await step(`login_${who}`, [`create_user_${who}`], async () => {
            const client = newClient();
            const user = await client.login(names[who], password);
            clients[who] = client;
            ids[who] = user.id;
            return {user, token: client.getToken()};
        });
    }
    await step('login_bad_password', ['create_user_bob'], () => outcome(newClient().login(names.bob, 'wrong-password-123')));
    await step('get_me', ['login_admin'], () => clients.admin.getMe());
    await step('get_me_bob', ['login_bob'], () => clients.bob.getMe());
    await step('profiles_by_ids', ['login_admin', 'login_bob', 'login_carol'], () => clients.bob.getProfilesByIds([ids.admin, ids.carol]));
    await step('roles_by_names', ['login_bob'], () => clients.bob.getRolesByNames(['system_user', 'team_user', 'channel_user']));

    const {admin, bob, carol} = clients;

    // --- team -----------------------------------------------------------------------------------------------
    const team = await step('create_team', ['login_admin'], () => admin.createTeam({name: names.team, display_name: 'Compat Team', type: 'O'}));
    await step('team_member_admin', ['create_team'], () => admin.getTeamMember(team.id, ids.admin));
    await step('add_to_team_bob', ['create_team', 'login_bob'], () => admin.addToTeam(team.id, ids.bob));
    await step('add_to_team_carol', ['create_team', 'login_carol'], () => admin.addToTeam(team.id, ids.carol));
    await step('my_teams_bob', ['add_to_team_bob'], () => bob.getMyTeams());
    await step('my_team_members_bob', ['add_to_team_bob'], () => bob.getMyTeamMembers());

    // --- channels -------------------------------------------------------------------------------------------
    const pub = await step('create_public_channel', ['create_team'], () =>
        admin.createChannel({team_id: team.id, name: `js-public-${suffix}`, display_name: 'Compat Public', type: 'O', purpose: 'purpose here', header: 'header here'}),
    );
    const priv = await step('create_private_channel', ['create_team'], () =>
        admin.createChannel({team_id: team.id, name: `js-private-${suffix}`, display_name: 'Compat Private', type: 'P', purpose: '', header: ''}),
    );
    await step('add_to_public_bob', ['create_public_channel', 'add_to_team_bob'], () => admin.addToChannel(ids.bob, pub.id));
    await step('add_to_public_carol', ['create_public_channel', 'add_to_team_carol'], () => admin.addToChannel(ids.carol, pub.id));
    await step('add_to_private_bob', ['create_private_channel', 'add_to_team_bob'], () => admin.addToChannel(ids.bob, priv.id));
    await step('channel_member_bob', ['add_to_public_bob'], () => bob.getChannelMember(pub.id, ids.bob));
    await step('private_channel_as_bob', ['add_to_private_bob'], () => bob.getChannel(priv.id));
    await step('private_channel_as_carol', ['create_private_channel', 'login_carol'], () => outcome(carol.getChannel(priv.id)));
    await step('my_channels_bob', ['add_to_private_bob', 'add_to_public_bob'], () => bob.getMyChannels(team.id));
    await step('public_channel_members', ['add_to_public_carol', 'add_to_public_bob'], () => admin.getChannelMembers(pub.id));

    // --- direct and group messages ----------------------------------------------------------------------------
    const dm = await step('create_dm', ['login_admin', 'login_bob'], () => admin.createDirectChannel([ids.admin, ids.bob]));
    await step('create_dm_again', ['create_dm'], () => bob.createDirectChannel([ids.bob, ids.admin]));
    await step('dm_as_carol', ['create_dm', 'login_carol'], () => outcome(carol.getChannel(dm.id)));
    const gm = await step('create_gm', ['login_admin', 'login_bob', 'login_carol'], () => admin.createGroupChannel([ids.admin, ids.bob, ids.carol]));
    await step('create_gm_again', ['create_gm'], () => carol.createGroupChannel([ids.carol, ids.admin, ids.bob]));
    await step('gm_members', ['create_gm'], () => bob.getChannelMembers(gm.id));
    await step('my_channels_with_dm_gm', ['create_dm', 'create_gm', 'create_team'], () => admin.getMyChannels(team.id));
    await step('my_channel_members_with_dm_gm', ['create_dm', 'create_gm', 'create_team'], () => admin.getMyChannelMembers(team.id));
    await step('dm_post', ['create_dm'], () => admin.createPost({channel_id: dm.id, message: 'hello over DM'}));
    await step('gm_post', ['create_gm'], () => carol.createPost({channel_id: gm.id, message: 'hello group'}));

    // --- posts: create, reply, edit, update, delete -----------------------------------------------------------
    const pending = `${ids.admin}:${Date.now()}`;
    const root = await step('create_post', ['add_to_public_bob'], () => admin.createPost({channel_id: pub.id, message: 'first post', pending_post_id: pending}));
    steps.create_post.pending_post_id = pending;
    const reply = await step('create_reply', ['create_post'], () => bob.createPost({channel_id: pub.id, message: 'a reply', root_id: root.id}));
    await step('get_root_after_reply', ['create_reply'], () => admin.getPost(root.id));
    await step('patch_post', ['create_post'], () => admin.patchPost({id: root.id, message: 'first post (edited)'}));
    await step('patch_post_as_bob', ['create_post'], () => outcome(bob.patchPost({id: root.id, message: 'not mine'})));
    await step('update_post', ['create_reply'], async () => {
        const current = await bob.getPost(reply.id);
        return bob.updatePost({...current, message: 'a reply (updated)'});
    });
    await step('get_thread', ['create_reply'], () => carol.getPostThread(root.id));
    const doomed = await step('create_post_to_delete', ['add_to_public_bob'], () => bob.createPost({channel_id: pub.id, message: 'to be deleted'}));
    const doomedReply = await step('create_reply_to_delete', ['create_post_to_delete'], () => admin.createPost({channel_id: pub.id, message: 'reply to deleted', root_id: doomed.id}));
    await step('delete_post', ['create_reply_to_delete'], () => bob.deletePost(doomed.id));
    await step('get_deleted_post', ['delete_post'], () => outcome(bob.getPost(doomed.id)));
    await step('get_deleted_reply', ['delete_post'], () => outcome(bob.getPost(doomedReply.id)));
    await step('history_after_delete', ['delete_post'], () => bob.getPosts(pub.id, 0, 200));

    // --- reactions --------------------------------------------------------------------------------------------
    await step('react_bob', ['create_post'], () => bob.addReaction(ids.bob, root.id, 'thumbsup'));
    await step('react_admin', ['create_post'], () => admin.addReaction(ids.admin, root.id, 'tada'));
    await step('react_as_someone_else', ['create_post'], () => outcome(carol.addReaction(ids.bob, root.id, 'smile')));
    await step('reactions_two', ['react_bob', 'react_admin'], () => carol.getReactionsForPost(root.id));
    await step('post_with_reactions', ['react_bob', 'react_admin'], () => carol.getPost(root.id));
    await step('unreact_bob', ['react_bob'], () => bob.removeReaction(ids.bob, root.id, 'thumbsup'));
    await step('reactions_one', ['unreact_bob'], () => carol.getReactionsForPost(root.id));
    await step('unreact_admin', ['react_admin'], () => admin.removeReaction(ids.admin, root.id, 'tada'));
    await step('reactions_none', ['unreact_admin', 'unreact_bob'], () => carol.getReactionsForPost(root.id));
    await step('post_without_reactions', ['unreact_admin', 'unreact_bob'], () => carol.getPost(root.id));

    // --- history paging in a channel of its own ---------------------------------------------------------------
    const hist = await step('create_history_channel', ['create_team'], () =>
        admin.createChannel({team_id: team.id, name: `js-history-${suffix}`, display_name: 'Compat History', type: 'O'}),
    );
    await step('history_posts', ['create_history_channel'], async () => {
        const created = [];
        for (let i = 0; i < 7; i++) {
            created.push(await admin.createPost({channel_id: hist.id, message: `history ${i}`}));
        }
        return created;
    });
    const made = steps.history_posts.ok ? steps.history_posts.value : [];
    await step('history_all', ['history_posts'], () => admin.getPosts(hist.id, 0, 200));
    await step('history_page0', ['history_posts'], () => admin.getPosts(hist.id, 0, 3));
    await step('history_page1', ['history_posts'], () => admin.getPosts(hist.id, 1, 3));
    await step('history_before', ['history_posts'], () => admin.getPostsBefore(hist.id, made[3].id, 0, 2));
    await step('history_after', ['history_posts'], () => admin.getPostsAfter(hist.id, made[3].id, 0, 2));
    await step('history_after_newest', ['history_posts'], () => admin.getPostsAfter(hist.id, made[6].id, 0, 2));
    await step('history_edit', ['history_posts'], () => admin.patchPost({id: made[1].id, message: 'history 1 (edited)'}));
    await step('history_delete', ['history_posts'], () => admin.deletePost(made[2].id));
    await step('history_since', ['history_edit', 'history_delete'], () => admin.getPostsSince(hist.id, made[3].create_at));

    // --- pin ----------------------------------------------------------------------------------------------------
    await step('pin', ['create_post'], () => bob.pinPost(root.id));
    await step('pinned_post', ['pin'], () => carol.getPost(root.id));
    await step('pinned_list', ['pin'], () => carol.getPinnedPosts(pub.id));
    await step('pinned_stats', ['pin'], () => carol.getChannelStats(pub.id));
    await step('unpin', ['pin'], () => bob.unpinPost(root.id));
    await step('unpinned_post', ['unpin'], () => carol.getPost(root.id));
    await step('unpinned_list', ['unpin'], () => carol.getPinnedPosts(pub.id));

    // --- save (flag) a post -----------------------------------------------------------------------------------
    const flag = root ? {user_id: ids.bob, category: 'flagged_post', name: root.id, value: 'true'} : null;
    await step('flag', ['create_post', 'login_bob'], () => bob.savePreferences(ids.bob, [flag]));
    await step('flag_preferences', ['flag'], () => bob.getMyPreferences());
    await step('flagged_posts', ['flag'], () => bob.getFlaggedPosts(ids.bob));
    await step('flagged_posts_other_user', ['flag'], () => carol.getFlaggedPosts(ids.carol));
    await step('unflag', ['flag'], () => bob.deletePreferences(ids.bob, [flag]));
    await step('flagged_after_unflag', ['unflag'], () => bob.getFlaggedPosts(ids.bob));

    // --- unread counts ----------------------------------------------------------------------------------------
    // admin reads everything, bob posts three messages (one a reply), then one that @mentions admin.
    const unreadSteps = ['add_to_public_bob'];
    await step('unread_view0', unreadSteps, () => admin.viewMyChannel(pub.id));
    await step('unread_state0', ['unread_view0'], async () => ({
        channel: await admin.getChannel(pub.id),
        member: await admin.getChannelMember(pub.id, ids.admin),
        unread: await admin.doFetch(unreadRoute(admin, ids.admin, pub.id), {method: 'get'}),
        team_unreads: await admin.getMyTeamUnreads(),
    }));
    await step('unread_bob_posts', ['unread_state0'], async () => {
        const first = await bob.createPost({channel_id: pub.id, message: 'unread one'});
        const second = await bob.createPost({channel_id: pub.id, message: 'unread two'});
        const third = await bob.createPost({channel_id: pub.id, message: 'unread reply', root_id: first.id});
        return [first, second, third];
    });
    await step('unread_state1', ['unread_bob_posts'], async () => ({
        channel: await admin.getChannel(pub.id),
        member: await admin.getChannelMember(pub.id, ids.admin),
        unread: await admin.doFetch(unreadRoute(admin, ids.admin, pub.id), {method: 'get'}),
    }));
    await step('unread_mention', ['unread_state1'], () => bob.createPost({channel_id: pub.id, message: `@${names.admin} please look`}));
    await step('unread_state2', ['unread_mention'], async () => ({
        channel: await admin.getChannel(pub.id),
        member: await admin.getChannelMember(pub.id, ids.admin),
        unread: await admin.doFetch(unreadRoute(admin, ids.admin, pub.id), {method: 'get'}),
        team_unreads: await admin.getMyTeamUnreads(),
    }));
    await step('unread_view', ['unread_state2'], () => admin.viewMyChannel(pub.id));
    await step('unread_state3', ['unread_view'], async () => ({
        channel: await admin.getChannel(pub.id),
        member: await admin.getChannelMember(pub.id, ids.admin),
        unread: await admin.doFetch(unreadRoute(admin, ids.admin, pub.id), {method: 'get'}),
        team_unreads: await admin.getMyTeamUnreads(),
    }));
    // In a DM every message counts as a mention for the other member.
    await step('dm_unread_view0', ['create_dm'], () => admin.viewMyChannel(dm.id));
    await step('dm_unread_post', ['dm_unread_view0'], () => bob.createPost({channel_id: dm.id, message: 'psst'}));
    await step('dm_unread_member', ['dm_unread_post'], () => admin.getChannelMember(dm.id, ids.admin));

    return {url, names, ids, team_id: team ? team.id : null};
}

main()
    .then((context) => {
        process.stdout.write(JSON.stringify({context, order, steps}) + '\n');
    })
    .catch((err) => {
        process.stdout.write(JSON.stringify({context: null, order, steps, fatal: describeError(err)}) + '\n');
        process.exitCode = 1;
    });
