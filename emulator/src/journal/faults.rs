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
}

impl TokenFault {
    /// Parses the `mode` query value of `fail-next`.
    pub fn parse(mode: &str) -> Option<TokenFault> {
        match mode {
            "500" => Some(TokenFault::ServerError),
            "hang" => Some(TokenFault::Hang),
            "garbage" => Some(TokenFault::Garbage),
            _ => None,
        }
    }
}

/// Pending injected failures.
#[derive(Debug, Default)]
pub struct Faults {
    token: Option<(u32, TokenFault)>,
    api: Option<(u32, u16)>,
}

impl Faults {
    /// The next `count` token-endpoint requests fail with `fault`.
    pub fn set_token(&mut self, count: u32, fault: TokenFault) {
        self.token = (count > 0).then_some((count, fault));
    }

    /// The next `count` API calls answer `status`.
    pub fn set_api(&mut self, count: u32, status: u16) {
        self.api = (count > 0).then_some((count, status));
    }

    /// Consumes one token-endpoint failure, if any is pending.
    pub fn take_token(&mut self) -> Option<TokenFault> {
        let (n, f) = self.token?;
        self.token = (n > 1).then_some((n - 1, f));
        Some(f)
    }

    /// Consumes one API failure, if any is pending.
    pub fn take_api(&mut self) -> Option<u16> {
        let (n, s) = self.api?;
        self.api = (n > 1).then_some((n - 1, s));
        Some(s)
    }
}
