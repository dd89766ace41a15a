#!/usr/bin/env node
// Drives Kafana's WebSocket with the real @mattermost/client WebSocketClient (over the `ws` package) and prints
// what it received as JSON. Run by tests/compat/test_websocket.py, which prepares the accounts:
//
//   node ws_flow.js <server url>   (env ADMIN_TOKEN, ADMIN_ID, BOB_TOKEN, CHANNEL_ID)
//
// Bob listens; the admin posts, edits, reacts, types (on its own WebSocketClient) and deletes. Then bob's
// connection is dropped, two posts are made while it is down, and bob reconnects: the client sends its
// connection_id and sequence_number, and must get the missed posts replayed without a new connection id.
'use strict';

const WS = require('ws');

// The client logs to the console; stdout carries only this script's JSON result.
console.log = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');

// WebSocketClient expects browser globals: the WebSocket class (for readyState constants) and CloseEvent.
globalThis.WebSocket = WS;
if (typeof globalThis.CloseEvent === 'undefined') {
    globalThis.CloseEvent = class CloseEvent {
        constructor(type, init = {}) {
            this.type = type;
            this.code = init.code;
            this.reason = init.reason || '';
            this.wasClean = Boolean(init.wasClean);
        }
    };
}

const {Client4, WebSocketClient} = require('@mattermost/client');

const WAIT_MS = 10000; // every wait is bounded
const RETRY_MS = 600000; // automatic reconnects are out of the way: the flow reconnects by hand

const url = (process.argv[2] || '').replace(/\/+$/, '');
const {ADMIN_TOKEN, ADMIN_ID, BOB_TOKEN, CHANNEL_ID} = process.env;
const wsUrl = url.replace(/^http/, 'ws') + '/api/v4/websocket';

function listener(client) {
    const received = [];
    let wake = () => {};
    client.addMessageListener((msg) => {
        received.push(msg);
        wake();
    });
    async function waitFor(what, predicate) {
        const deadline = Date.now() + WAIT_MS;
        for (;;) {
            const found = received.find(predicate);
            if (found) {
                return found;
            }
            const left = deadline - Date.now();
            if (left <= 0) {
                throw new Error(`no ${what} within ${WAIT_MS} ms; received ${JSON.stringify(received.map((m) => m.event))}`);
            }
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, left);
                wake = () => {
                    clearTimeout(timer);
                    resolve();
                };
            });
        }
    }
    return {received, waitFor};
}

function postOf(msg) {
    return JSON.parse(msg.data.post);
}

async function main() {
    const admin = new Client4();
    admin.setUrl(url);
    admin.setToken(ADMIN_TOKEN);

    const urls = [];
    const bob = new WebSocketClient({
        newWebSocketFn: (u) => {
            urls.push(u);
            return new WS(u);
        },
        minWebSocketRetryTime: RETRY_MS,
        reconnectJitterRange: 0,
    });
    let missed = 0;
    bob.addMissedMessageListener(() => {
        missed += 1;
    });
    const bobSeen = listener(bob);
    bob.initialize(wsUrl, BOB_TOKEN);
    const hello = await bobSeen.waitFor('hello', (m) => m.event === 'hello');

    const typist = new WebSocketClient({newWebSocketFn: (u) => new WS(u), minWebSocketRetryTime: RETRY_MS});
    const typistSeen = listener(typist);
    typist.initialize(wsUrl, ADMIN_TOKEN);
    await typistSeen.waitFor('admin hello', (m) => m.event === 'hello');

    const post = await admin.createPost({channel_id: CHANNEL_ID, message: 'from js'});
    await bobSeen.waitFor('posted', (m) => m.event === 'posted' && postOf(m).id === post.id);
    await admin.patchPost({id: post.id, message: 'edited from js'});
    await bobSeen.waitFor('post_edited', (m) => m.event === 'post_edited');
    await admin.addReaction(ADMIN_ID, post.id, 'smile');
    await bobSeen.waitFor('reaction_added', (m) => m.event === 'reaction_added');
    await admin.removeReaction(ADMIN_ID, post.id, 'smile');
    await bobSeen.waitFor('reaction_removed', (m) => m.event === 'reaction_removed');
    const typed = await new Promise((resolve) => typist.userTyping(CHANNEL_ID, '', resolve));
    await bobSeen.waitFor('typing', (m) => m.event === 'typing');
    await admin.deletePost(post.id);
    await bobSeen.waitFor('post_deleted', (m) => m.event === 'post_deleted');

    // Drop bob's connection, post while it is down, reconnect by hand.
    const closed = new Promise((resolve) => bob.addCloseListener(resolve));
    bob.conn.terminate();
    await closed;
    bob.clearReconnectTimeout();
    const sequenceAtDrop = bob.serverSequence;
    const whileDown = [];
    for (const message of ['missed one', 'missed two']) {
        whileDown.push((await admin.createPost({channel_id: CHANNEL_ID, message})).id);
    }
    bob.initialize(wsUrl, BOB_TOKEN);
    await bobSeen.waitFor('the second missed post', (m) => m.event === 'posted' && postOf(m).id === whileDown[1]);
    const pong = await new Promise((resolve) => bob.ping(resolve));

    process.stdout.write(JSON.stringify({
        hello,
        events: bobSeen.received.map((m) => ({event: m.event, seq: m.seq, data: m.data, broadcast: m.broadcast})),
        urls,
        missed,
        sequenceAtDrop,
        connectionIdAfter: bob.connectionId,
        whileDown,
        postId: post.id,
        typed,
        pong,
    }) + '\n');
    bob.close();
    typist.close();
}

main().then(() => process.exit(0), (err) => {
    process.stdout.write(JSON.stringify({error: String(err && err.stack || err)}) + '\n');
    process.exit(1);
});
