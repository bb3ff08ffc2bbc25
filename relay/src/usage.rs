//! The `--help` text.

/// Printed by `--help` and after a start-up error.
pub const USAGE: &str = "\
usage: mobproc-relay --listen ADDR:PORT --token-url URL --client-id ID
                     --allow-origin ORIGIN [--allow-origin ORIGIN...]
                     [--revoke-url URL] [--client-auth basic|body|query] [--timeout-ms N]

Forwards a browser portal's refresh and validate grants (and revocations) to Tangoe with
the confidential client's secret added.

  --listen ADDR:PORT      address to serve on, e.g. 127.0.0.1:8090 (port 0: any free port)
  --token-url URL         Tangoe's token endpoint (https://, or http:// to a loopback host)
  --client-id ID          the portal's confidential client id
  --allow-origin ORIGIN   a portal origin allowed to call the relay (repeat for more)
  --revoke-url URL        Tangoe's revocation endpoint; enables POST /revoke
  --client-auth MODE      basic (default), body or query
  --timeout-ms N          limit on each wait: a caller's request head and body, each
                          upstream call (default 10000); a shutdown waits at most
                          twice that and a second for calls in flight

environment:
  MOBPROC_RELAY_CLIENT_SECRET   the client secret (required; never a flag)
";
