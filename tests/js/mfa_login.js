#!/usr/bin/env node
// Logs in to Kafana with the real @mattermost/client using an MFA code, the way the web and mobile apps do:
// first without a code (the server answers mfa.validate_token.authenticate.app_error), then with one.
//
//   node mfa_login.js <server url> <login id> <password> <code>
//
// Prints one JSON line: {first_error, user, me}.
'use strict';

const {Client4} = require('@mattermost/client');

async function main() {
    const [url, loginId, password, code] = process.argv.slice(2);
    const client = new Client4();
    client.setUrl(url);
    const out = {};
    try {
        await client.login(loginId, password);
        out.first_error = null;
    } catch (err) {
        out.first_error = {server_error_id: err.server_error_id, status_code: err.status_code};
    }
    const user = await client.login(loginId, password, code);
    out.user = {id: user.id, username: user.username, mfa_active: user.mfa_active};
    const me = await client.getMe();
    out.me = me.username;
    process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err) => {
    process.stdout.write(JSON.stringify({fatal: String(err && (err.server_error_id || err.message))}) + '\n');
    process.exit(1);
});
