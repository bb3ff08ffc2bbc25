//! Failures injected through the control surface.

/// How the token endpoint misbehaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFault {
    /// Answer 500 with an OAuth `server_error` body.
    ServerError,
    /// Hold the connection for about five minutes (released early by reset or shutdown).
    Hang,
    /// Answer 200 with a body that is not JSON.
    Garbage,
    /// Answer 429 `temporarily_unavailable` with `Retry-After: 7` (load shed past a rate
    /// limit, as Tangoe's related APIs do).
    TooManyRequests,
}

impl TokenFault {
    /// Parses the `mode` query value of `fail-next`.
    pub fn parse(mode: &str) -> Option<TokenFault> {
        match mode {
            "500" => Some(TokenFault::ServerError),
            "hang" => Some(TokenFault::Hang),
            "garbage" => Some(TokenFault::Garbage),
            "429" => Some(TokenFault::TooManyRequests),
            _ => None,
        }
    }
}

/// How the next API calls fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiFault {
    /// The HTTP status (400..599).
    pub status: u16,
    /// Whether a 429 or 503 carries `Retry-After: 7`; Tangoe does not promise the header, so a
    /// client must cope without it (`retryAfter=none`).
    pub retry_after: bool,
}

/// Pending injected failures.
#[derive(Debug, Default)]
pub struct Faults {
    token: Option<(u32, TokenFault)>,
    api: Option<(u32, ApiFault)>,
}

impl Faults {
    /// The next `count` token-endpoint requests fail with `fault`.
    pub fn set_token(&mut self, count: u32, fault: TokenFault) {
        self.token = (count > 0).then_some((count, fault));
    }

    /// The next `count` API calls fail with `fault`.
    pub fn set_api(&mut self, count: u32, fault: ApiFault) {
        self.api = (count > 0).then_some((count, fault));
    }

    /// Consumes one token-endpoint failure, if any is pending.
    pub fn take_token(&mut self) -> Option<TokenFault> {
        let (n, f) = self.token?;
        self.token = (n > 1).then_some((n - 1, f));
        Some(f)
    }

    /// Consumes one API failure, if any is pending.
    pub fn take_api(&mut self) -> Option<ApiFault> {
        let (n, f) = self.api?;
        self.api = (n > 1).then_some((n - 1, f));
        Some(f)
    }
}
