//! The `--help` text.

/// Help text printed by `--help` (and after a flag error).
pub const USAGE: &str = "\
usage: mobproc-emulator [--port N] [--app-origin ORIGIN]... [--redirect-uri URI]... [--token-lifetime SECS]
                        [--tenant CODE]... [--user SPEC]... [--client ID[:SECRET]]... [--no-seed]
                        [--no-implicit-refresh-token] [--coop]

  --port N              port on 127.0.0.1 (default 8081; 0 picks a free port)     env MOBPROC_EMU_PORT
  --app-origin ORIGIN   origin allowed by CORS, repeatable (default http://127.0.0.1:8080); exactly as
                        the browser sends it: scheme://host[:port], no trailing /
                                                                                 env MOBPROC_EMU_APP_ORIGIN (comma-separated)
  --redirect-uri URI    redirect URI registered for portal-demo and every public --client, repeatable
                        (default http://127.0.0.1:8080/ and http://127.0.0.1:8080/callback); an
                        absolute http(s) URL, path at least /, no #fragment
                                                                                 env MOBPROC_EMU_REDIRECT_URI (comma-separated)
  --token-lifetime SECS access-token lifetime (default 3600)                      env MOBPROC_EMU_TOKEN_LIFETIME
  --tenant CODE         extra tenant, repeatable; its directory gets 3 employees CODE1001..CODE1003
                        (letters, digits, '-', '_', '.')                          env MOBPROC_EMU_TENANT (comma-separated)
  --user SPEC           extra user for the sign-in page and the password grant, repeatable;
                        SPEC is USERNAME:PASSWORD:TENANT[:EMPLOYEEID[:NAME[:EMAIL]]]
                        fields split at ':', except that a leading SOURCE:// belongs to the username
                        (command://jdoe:pw:XYZ is user command://jdoe); empty optional fields take
                        the defaults U<n> (n = position among the users), the bare username,
                        <bare username>@<tenant in lower case>.example.
                        The tenant must be seeded or given by --tenant.    env MOBPROC_EMU_USER (';'-separated)
  --client ID[:SECRET]  extra client, repeatable; without a secret a public portal client (implicit
                        grant or code grant with PKCE, with the --redirect-uri list; refresh, revoke);
                        with a secret a service client (password grant, refresh, validate, revoke),
                        except that ID:SECRET for an id that is already a public portal client
                        (portal-demo, or an earlier --client ID) gives it that secret: a confidential
                        portal client, as Tangoe documents it (sign-in page kept; code exchange,
                        refresh, validate and revoke need the secret)             env MOBPROC_EMU_CLIENT (comma-separated)
  --no-seed             start without the seeded tenants, users and clients      env MOBPROC_EMU_NO_SEED=1
  --no-implicit-refresh-token
                        the sign-in page's grants (implicit, and the code grant's exchange) issue no
                        refresh token, as PingFederate's guide describes implicit clients; the
                        password grant and refresh still do
                                                                                 env MOBPROC_EMU_NO_IMPLICIT_REFRESH_TOKEN=1
  --coop                the sign-in page sends Cross-Origin-Opener-Policy: same-origin, as an identity
                        provider may: a sign-in popup is then severed from the app that opened it
                        (window.opener null, the popup reported closed)  env MOBPROC_EMU_COOP=1
  --help                this text

Grants: the sign-in page /as/authorization.oauth2 takes response_type=token (implicit, tokens in the
fragment) and response_type=code (code_challenge_method=S256 required; the code in the query); the
token endpoint /as/token.oauth2 takes password, authorization_code (code, redirect_uri, client_id,
code_verifier; one use within 60 s), refresh_token and urn:pingidentity.com:oauth2:grant_type:validate_bearer.

A flag wins over its variable; a repeated flag replaces the variable's whole list.
localhost and 127.0.0.1 are different origins. In the workspace, `cargo xtask emulator --app URL`
registers an app's origin and redirect URI and prints the createClient config to paste.
";
