#!/usr/bin/env node
// Media with the real @mattermost/client: upload a file, attach it to a post, fetch its thumbnail and preview,
// set a profile picture, add a custom emoji and react with it. Prints what the server returned as JSON.
//
//   node media_flow.js <server url> <png path>      (env KAFANA_TEST_PASSWORD)
'use strict';

const fs = require('fs');
const {Client4} = require('@mattermost/client');

const url = (process.argv[2] || '').replace(/\/+$/, '');
const pngPath = process.argv[3];
const password = process.env.KAFANA_TEST_PASSWORD || 'correct-horse-battery';
const out = {};

async function imageInfo(client, route) {
    const response = await fetch(route, client.getOptions({method: 'get'}));
    const bytes = Buffer.from(await response.arrayBuffer());
    return {status: response.status, content_type: response.headers.get('content-type'), size: bytes.length, png: bytes.subarray(1, 4).toString() === 'PNG', jpeg: bytes[0] === 0xff && bytes[1] === 0xd8};
}

async function main() {
    const client = new Client4();
    client.setUrl(url);
    const png = fs.readFileSync(pngPath);
    const user = await client.createUser({username: 'jsmedia', email: 'jsmedia@example.com', password});
    await client.login('jsmedia', password);
    const team = await client.createTeam({name: 'jsmedia', display_name: 'JS Media', type: 'O'});
    const channel = await client.createChannel({team_id: team.id, name: 'media', display_name: 'Media', type: 'O'});

    const form = new FormData();
    form.append('channel_id', channel.id);
    form.append('client_ids', 'client-1');
    form.append('files', new Blob([png], {type: 'image/png'}), 'picture.png');
    out.upload = await client.uploadFile(form);
    const fileId = out.upload.file_infos[0].id;
    out.post = await client.createPost({channel_id: channel.id, message: 'with a picture', file_ids: [fileId]});
    out.post_files = await client.getFileInfosForPost(out.post.id);
    out.thumbnail = await imageInfo(client, `${client.getFileRoute(fileId)}/thumbnail`);
    out.preview = await imageInfo(client, `${client.getFileRoute(fileId)}/preview`);
    out.original = await imageInfo(client, client.getFileRoute(fileId));

    await client.uploadProfileImage(user.id, new Blob([png], {type: 'image/png'}));
    out.me = await client.getMe();
    out.profile_picture = await imageInfo(client, client.getProfilePictureUrl(user.id, out.me.last_picture_update));

    out.emoji = await client.createCustomEmoji({name: 'js-media', creator_id: user.id}, new Blob([png], {type: 'image/png'}));
    out.emoji_image = await imageInfo(client, client.getCustomEmojiImageUrl(out.emoji.id));
    out.reaction = await client.addReaction(user.id, out.post.id, 'js-media');
    out.reactions = await client.getReactionsForPost(out.post.id);
    out.autocomplete = await client.autocompleteCustomEmoji('js-');
}

main().then(
    () => process.stdout.write(JSON.stringify(out) + '\n'),
    (err) => {
        process.stdout.write(JSON.stringify({fatal: String(err && (err.stack || err.message)), status: err && err.status_code, partial: out}) + '\n');
        process.exit(1);
    },
);
