//! What happened since start or the last reset: log lines, counters and API request records
//! (never a token value), read by the control surface.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

const MAX_LINES: usize = 2000;
const MAX_RECORDS: usize = 500;

/// One API request as seen by the control surface (no token values).
#[derive(Clone, Debug, Serialize)]
pub struct ApiRecord {
    /// HTTP method.
    pub method: String,
    /// Path without the query string.
    pub path: String,
    /// Response status.
    pub status: u16,
    /// Names of the Tangoe headers that were present.
    pub headers_present: Vec<&'static str>,
    /// `X-TNGO-CONTEXT-CORRELATIONID`, sanitised.
    pub correlation_id: Option<String>,
    /// `X-TNGO-CONTEXT-ACTIVITYID`, sanitised.
    pub activity_id: Option<String>,
    /// `X-TNGO-TENANT`, sanitised.
    pub tenant: Option<String>,
}

/// Log lines, counters and records since start or the last reset.
#[derive(Debug, Default)]
pub struct Journal {
    /// Last log lines, oldest first.
    pub lines: VecDeque<String>,
    /// Token-endpoint requests per grant type.
    pub token_requests: BTreeMap<String, u64>,
    /// Requests to `/mobproc/v1` (preflights excluded).
    pub api_requests: u64,
    /// Well-formed revocation requests.
    pub revocations: u64,
    /// Successful sign-ins on the authorization page.
    pub sign_ins: u64,
    /// Last API request records, oldest first.
    pub records: VecDeque<ApiRecord>,
}

impl Journal {
    /// Counts one token-endpoint request of this grant type.
    pub fn count_grant(&mut self, grant_type: Option<&str>) {
        let key = match grant_type {
            Some("password") => "password",
            Some("authorization_code") => "authorization_code",
            Some("refresh_token") => "refresh_token",
            Some("urn:pingidentity.com:oauth2:grant_type:validate_bearer") => "validate_bearer",
            Some(_) => "other",
            None => "missing",
        };
        *self.token_requests.entry(key.to_string()).or_insert(0) += 1;
    }

    /// Keeps a log line (the oldest goes past 2000).
    pub fn push_line(&mut self, line: String) {
        if self.lines.len() >= MAX_LINES {
            self.lines.pop_front();
        }
        self.lines.push_back(line);
    }

    /// Keeps an API request record (the oldest goes past 500).
    pub fn push_record(&mut self, r: ApiRecord) {
        if self.records.len() >= MAX_RECORDS {
            self.records.pop_front();
        }
        self.records.push_back(r);
    }
}
