// A real OpenID Connect provider for kaizen's single sign-on tests (tests/api/sso.rs):
// oidc-provider with one confidential client that must use PKCE (S256), the claims
// email, name and groups in the ID token, and the development login pages, which the tests
// fill in over plain HTTP (any login name is an account; its e-mail and groups come from
// KAIZEN_OIDC_ACCOUNTS).
//
// Settings come from the environment:
//   KAIZEN_OIDC_REDIRECT_URI  the redirect URI registered for the client
//   KAIZEN_OIDC_CLIENT_ID     default "kaizen"; KAIZEN_OIDC_CLIENT_SECRET default "kaizen-test-secret"
//   KAIZEN_OIDC_ACCOUNTS      JSON {"login": {"email": "...", "name": "...", "groups": ["..."],
//                             "email_verified": true | false | null}} (default true; null: the
//                             claim is left out, as Microsoft Entra ID does)
//   KAIZEN_OIDC_TAMPER        how this provider misbehaves, to prove that kaizen checks:
//                             "issuer" (ID token from another issuer), "audience" (for another
//                             client), "expired" (exp in the past), "signature" (signed with a key
//                             not in the JWKS), "replay-nonce" (every ID token after the first is
//                             the first one again, with its old nonce), "rotate" (ID tokens are
//                             signed with a new key that the JWKS lists only from its second
//                             fetch on, as after a key rotation); unset: behaves.
// The provider listens on a free port of 127.0.0.1 and prints `listening <port>` once ready.
// GET /__test/token-requests answers how many token requests it has served; PUT
// /__test/accounts merges new account data (JSON as in KAIZEN_OIDC_ACCOUNTS).

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

import * as jose from 'jose';
import Provider from 'oidc-provider';

const env = process.env;
const redirectUri = env.KAIZEN_OIDC_REDIRECT_URI;
if (!redirectUri) {
  console.error('KAIZEN_OIDC_REDIRECT_URI is required');
  process.exit(2);
}
const clientId = env.KAIZEN_OIDC_CLIENT_ID || 'kaizen';
const clientSecret = env.KAIZEN_OIDC_CLIENT_SECRET || 'kaizen-test-secret';
const accounts = JSON.parse(env.KAIZEN_OIDC_ACCOUNTS || '{}');
const tamper = env.KAIZEN_OIDC_TAMPER || '';

function rsaKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
}

const signingKey = rsaKey();

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // Claims asked for by scope go into the ID token, as Keycloak and Entra ID put them.
    conformIdTokenClaims: false,
    jwks: { keys: [signingKey] },
    cookies: { keys: ['kaizen-oidc-test-cookie-key'] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const known = accounts[id] || {};
      return {
        accountId: id,
        async claims() {
          const claims = {
            sub: id,
            email: known.email ?? `${id}@example.org`,
            email_verified: known.email_verified === undefined ? true : known.email_verified,
            name: known.name ?? id,
            groups: known.groups ?? [],
          };
          if (claims.email_verified === null) {
            delete claims.email_verified;
          }
          return claims;
        },
      };
    },
  });
  provider.proxy = false;

  let tokenRequests = 0;
  let firstIdToken = null;
  const foreignKey = rsaKey();
  const rotatedKey = rsaKey();
  let jwksRequests = 0;

  provider.use(async (ctx, next) => {
    if (ctx.path === '/__test/token-requests') {
      ctx.body = { count: tokenRequests };
      return;
    }
    if (ctx.path === '/__test/accounts' && ctx.method === 'PUT') {
      // The people change at the provider (groups joined or left) between two sign-ins.
      let raw = '';
      for await (const chunk of ctx.req) {
        raw += chunk;
      }
      Object.assign(accounts, JSON.parse(raw));
      ctx.status = 204;
      return;
    }
    if (ctx.path === '/token') {
      tokenRequests += 1;
    }
    await next();
    if (ctx.path === '/jwks' && tamper === 'rotate') {
      jwksRequests += 1;
      if (jwksRequests > 1 && ctx.body && Array.isArray(ctx.body.keys)) {
        const { d, p, q, dp, dq, qi, ...publicPart } = rotatedKey;
        ctx.body.keys.push(publicPart);
      }
      return;
    }
    if (ctx.path !== '/token' || ctx.status !== 200 || !ctx.body || !ctx.body.id_token) {
      return;
    }
    if (tamper === 'replay-nonce') {
      if (firstIdToken === null) {
        firstIdToken = ctx.body.id_token;
      } else {
        ctx.body.id_token = firstIdToken;
      }
      return;
    }
    if (!tamper) {
      return;
    }
    // The provider's own token with one claim made wrong, signed again with the provider's
    // own key (or, for "signature", with a key no JWKS lists under the same key id).
    const claims = jose.decodeJwt(ctx.body.id_token);
    const now = Math.floor(Date.now() / 1000);
    let key = signingKey;
    let kid = signingKey.kid;
    switch (tamper) {
      case 'issuer':
        claims.iss = `${issuer}/another-realm`;
        break;
      case 'audience':
        claims.aud = 'another-client';
        break;
      case 'expired':
        claims.iat = now - 3600;
        claims.exp = now - 1800;
        break;
      case 'signature':
        key = { ...foreignKey, kid: signingKey.kid };
        break;
      case 'rotate':
        key = rotatedKey;
        kid = rotatedKey.kid;
        break;
      default:
        throw new Error(`unknown KAIZEN_OIDC_TAMPER ${tamper}`);
    }
    const privateKey = await jose.importJWK(key, 'RS256');
    ctx.body.id_token = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .sign(privateKey);
  });

  server.on('request', provider.callback());
  console.log(`listening ${port}`);
});
