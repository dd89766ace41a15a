#!/usr/bin/env node
// A real OpenID Connect provider (panva's oidc-provider, certified) on loopback for Kafana's SSO tests.
//
//   node oidc_provider.mjs <port> <client id> <client secret> <redirect uri>[,<redirect uri>…]
//
// Prints "ready <issuer>" once listening. Its endpoints sit where MediaWiki's OAuth 2 extension has them
// (/w/rest.php/oauth2/authorize, …/access_token, …/resource/profile), so the same provider serves the
// generic OpenID Connect tests (through discovery) and the MediaWiki preset. Logging in needs no form: the
// interaction step signs in the account the test chose last with POST /test/account {sub, username, email}.
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirects] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;
const accounts = new Map();
let current = {sub: '1', username: 'Example', email: 'example@wiki.test'};

const provider = new Provider(issuer, {
    clients: [{
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirects.split(','),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'username', 'name']},
    async findAccount(ctx, id) {
        const account = accounts.get(id);
        if (!account) {
            return undefined;
        }
        return {
            accountId: id,
            async claims() {
                return {sub: id, email: account.email, email_verified: true, preferred_username: account.username, username: account.username, name: account.username};
            },
        };
    },
    features: {devInteractions: {enabled: false}},
    interactions: {url: (ctx, interaction) => `/interaction/${interaction.uid}`},
    routes: {
        authorization: '/w/rest.php/oauth2/authorize',
        token: '/w/rest.php/oauth2/access_token',
        userinfo: '/w/rest.php/oauth2/resource/profile',
    },
    cookies: {keys: ['kafana-test-cookie-key']},
});

provider.use(async (ctx, next) => {
    if (ctx.method === 'POST' && ctx.path === '/test/account') {
        const chunks = [];
        for await (const chunk of ctx.req) {
            chunks.push(chunk);
        }
        current = JSON.parse(Buffer.concat(chunks).toString());
        accounts.set(current.sub, current); // a renamed account shows its new name at the next sign-in
        ctx.body = 'ok';
        return;
    }
    if (ctx.path.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(ctx.req, ctx.res);
        accounts.set(current.sub, current);
        const grant = new provider.Grant({accountId: current.sub, clientId: details.params.client_id});
        grant.addOIDCScope(details.params.scope);
        const grantId = await grant.save();
        await provider.interactionFinished(ctx.req, ctx.res, {login: {accountId: current.sub}, consent: {grantId}}, {mergeWithLastSubmission: false});
        ctx.respond = false;
        return;
    }
    await next();
});

const server = provider.listen(Number(port), '127.0.0.1', () => {
    process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
