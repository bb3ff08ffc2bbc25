//! The acting context of MOBPROC calls: on whose behalf (`X-TNGO-CONTEXT-EMPLOYEEID`,
//! `-COMPANYEMPLOYEEID`), in which hierarchy (`-HIERARCHYID`), and the troubleshooting ids
//! Tangoe support asks for (`-ACTIVITYID` on a group of calls, `-CORRELATIONID` on each).
//!
//! Precedence, lowest first: the client's context (config, then `setContext`), then the one
//! call's `init.context` (or its own context headers), where a value overrides and `null`
//! removes the header for that call. The employee id and the company employee id name one
//! actor: a call that gives either inherits neither of the client's.

use crate::error::{Error, Result};
use crate::prelude::*;

/// `X-TNGO-CONTEXT-EMPLOYEEID`: act for this employee (Tangoe-assigned id); wins server-side.
pub const EMPLOYEE_ID: &str = "X-TNGO-CONTEXT-EMPLOYEEID";
/// `X-TNGO-CONTEXT-COMPANYEMPLOYEEID`: act for this employee (customer-assigned id, e.g. e-mail).
pub const COMPANY_EMPLOYEE_ID: &str = "X-TNGO-CONTEXT-COMPANYEMPLOYEEID";
/// `X-TNGO-CONTEXT-HIERARCHYID`: the organisational hierarchy to use.
pub const HIERARCHY_ID: &str = "X-TNGO-CONTEXT-HIERARCHYID";
/// `X-TNGO-CONTEXT-ACTIVITYID`: the same value on a group of related calls.
pub const ACTIVITY_ID: &str = "X-TNGO-CONTEXT-ACTIVITYID";
/// `X-TNGO-CONTEXT-CORRELATIONID`: a different value on every call.
pub const CORRELATION_ID: &str = "X-TNGO-CONTEXT-CORRELATIONID";

/// The context headers and the JavaScript names of their values, in order.
pub const FIELDS: [(&str, &str); 3] = [
    ("employeeId", EMPLOYEE_ID),
    ("companyEmployeeId", COMPANY_EMPLOYEE_ID),
    ("hierarchyId", HIERARCHY_ID),
];

/// On whose behalf, and in which hierarchy, calls act. Each value: 1 to 256 printable ASCII
/// characters without surrounding spaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    /// `X-TNGO-CONTEXT-EMPLOYEEID`: Tangoe's id of the employee to act for.
    pub employee_id: Option<String>,
    /// `X-TNGO-CONTEXT-COMPANYEMPLOYEEID`: the customer's id (e.g. e-mail) of the employee.
    pub company_employee_id: Option<String>,
    /// `X-TNGO-CONTEXT-HIERARCHYID`: the organisational hierarchy to use.
    pub hierarchy_id: Option<String>,
}

impl Context {
    /// The three values in header order ([`FIELDS`]).
    pub fn values(&self) -> [Option<&str>; 3] {
        [
            self.employee_id.as_deref(),
            self.company_employee_id.as_deref(),
            self.hierarchy_id.as_deref(),
        ]
    }

    /// `config_invalid` naming `<prefix><field>` for the first value that is not a valid header.
    pub fn check(&self, prefix: &str) -> Result<()> {
        // Indexes, not `zip`: the array iterator's adapters cost more than the loop.
        let values = self.values();
        for (at, (name, _)) in FIELDS.iter().enumerate() {
            if let Some(Some(value)) = values.get(at) {
                check_value(prefix, name, value)?;
            }
        }
        Ok(())
    }
}

/// What one call says about one context value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Override<'a> {
    /// Not mentioned: the client's value applies.
    Inherit,
    /// `null`: no header for this call.
    Remove,
    /// This value for this call.
    Set(&'a str),
}

/// The context headers of one call. `client` holds the client's employee, company employee and
/// hierarchy ids and its activity id; `call` the call's overrides of the first three;
/// `correlation_id` is `None` when the caller set its own. A header with an empty value is
/// one the caller's request must not carry (`null` for this call).
pub fn headers<'a>(
    client: [Option<&'a str>; 4],
    call: [Override<'a>; 3],
    correlation_id: Option<&'a str>,
) -> Result<Vec<(&'static str, &'a str)>> {
    let mut out = Vec::new();
    each_header(client, call, correlation_id, |name, value| {
        out.push((name, value))
    })?;
    Ok(out)
}

/// [`headers`], each handed to `emit` in order instead of collected: the shell sets them
/// without a list in between.
pub(crate) fn each_header<'a>(
    client: [Option<&'a str>; 4],
    call: [Override<'a>; 3],
    correlation_id: Option<&'a str>,
    mut emit: impl FnMut(&'static str, &'a str),
) -> Result<()> {
    // Both ids name the actor, and Tangoe takes EMPLOYEEID over COMPANYEMPLOYEEID: a call that
    // names one (a value, or `null` for none) must not inherit the other, or a client's
    // employee id would win over it.
    let names_actor = !matches!(call, [Override::Inherit, Override::Inherit, _]);
    // Indexes, not `zip`: the array iterator's adapters cost more than the loop.
    for (at, (name, header)) in FIELDS.iter().enumerate() {
        let client = client.get(at).copied().flatten();
        let call = call.get(at).copied().unwrap_or(Override::Inherit);
        // The error names where the value came from: the client's or this call's context.
        let (value, prefix) = match call {
            Override::Inherit => (client.filter(|_| at > 1 || !names_actor), "context."),
            Override::Remove => {
                emit(header, "");
                continue;
            }
            Override::Set(v) => (Some(v), "init.context."),
        };
        if let Some(value) = value {
            emit(header, check_value(prefix, name, value)?);
        }
    }
    if let [.., Some(id)] = client {
        emit(ACTIVITY_ID, check_value("", "activityId", id)?);
    }
    if let Some(id) = correlation_id {
        emit(CORRELATION_ID, check_value("", "correlationId", id)?);
    }
    Ok(())
}

/// A context value (`<prefix><name>` in the error): 1 to 256 printable ASCII characters, no CR, LF or other control
/// characters, no surrounding spaces (header values must survive proxies unchanged).
pub fn check_value<'a>(prefix: &str, name: &str, value: &'a str) -> Result<&'a str> {
    let ok = !value.is_empty()
        && value.len() <= 256
        && crate::text::every_byte(value, |b| (0x20..0x7f).contains(&b))
        // Bytes, not `starts_with(' ')`: a `char` pattern brings UTF-8 encoding code.
        && value.as_bytes().first() != Some(&b' ')
        && value.as_bytes().last() != Some(&b' ');
    if ok {
        return Ok(value);
    }
    Err(Error::config(
        &crate::text::cat(&[prefix, name]),
        "must be 1 to 256 printable ASCII characters (no CR, LF or surrounding spaces)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use Override::{Inherit, Remove, Set};

    fn field_of(result: Result<impl core::fmt::Debug>) -> String {
        match result.map_err(Error::into_kind) {
            Err(ErrorKind::ConfigInvalid { field, .. }) => field,
            other => panic!("expected config_invalid, got {other:?}"),
        }
    }

    #[test]
    fn call_overrides_client_and_null_removes() {
        let client = [Some("E1005"), None, Some("H1"), Some("batch-7")];
        let headers = headers(client, [Inherit, Inherit, Remove], Some("c-1")).unwrap();
        assert_eq!(
            headers,
            [
                (EMPLOYEE_ID, "E1005"),
                (HIERARCHY_ID, ""),
                (ACTIVITY_ID, "batch-7"),
                (CORRELATION_ID, "c-1"),
            ]
        );
        let call = super::headers(client, [Set("E2000"), Inherit, Inherit], None).unwrap();
        assert_eq!(
            call,
            [
                (EMPLOYEE_ID, "E2000"),
                (HIERARCHY_ID, "H1"),
                (ACTIVITY_ID, "batch-7")
            ]
        );
        assert_eq!(super::headers([None; 4], [Inherit; 3], None).unwrap(), []);
    }

    #[test]
    fn a_call_naming_one_actor_inherits_neither_id() {
        let client = [Some("E1005"), Some("emma@xyz.example"), Some("H1"), None];
        let by_company = [Inherit, Set("alice@xyz.example"), Inherit];
        assert_eq!(
            headers(client, by_company, None).unwrap(),
            [
                (COMPANY_EMPLOYEE_ID, "alice@xyz.example"),
                (HIERARCHY_ID, "H1")
            ]
        );
        let by_employee = [Set("E1001"), Inherit, Inherit];
        assert_eq!(
            headers(client, by_employee, None).unwrap(),
            [(EMPLOYEE_ID, "E1001"), (HIERARCHY_ID, "H1")]
        );
        // Both given, or one removed: as the call says.
        let both = [Set("E1001"), Set("alice@xyz.example"), Remove];
        assert_eq!(
            headers(client, both, None).unwrap(),
            [
                (EMPLOYEE_ID, "E1001"),
                (COMPANY_EMPLOYEE_ID, "alice@xyz.example"),
                (HIERARCHY_ID, "")
            ]
        );
        // `null` names the actor too (none: the signed-in user).
        assert_eq!(
            headers(client, [Remove, Inherit, Inherit], None).unwrap(),
            [(EMPLOYEE_ID, ""), (HIERARCHY_ID, "H1")]
        );
        // An actor the call names is checked; the one it drops is not sent, so not checked.
        let bad_client = [Some("bad\tid"), None, None, None];
        assert!(headers(bad_client, by_company, None).is_ok());
    }

    #[test]
    fn values_are_checked_and_the_field_named() {
        let only = |i: usize, v| {
            let mut client = [None; 4];
            client[i] = Some(v);
            headers(client, [Inherit; 3], None)
        };
        assert_eq!(
            field_of(only(1, "a\r\nX-Evil: 1")),
            "context.companyEmployeeId"
        );
        assert_eq!(field_of(only(0, "")), "context.employeeId");
        assert_eq!(field_of(only(2, " padded")), "context.hierarchyId");
        assert_eq!(field_of(only(3, "tab\there")), "activityId");
        assert_eq!(
            field_of(headers([None; 4], [Set("ü"), Inherit, Inherit], None)),
            "init.context.employeeId"
        );
        assert_eq!(
            field_of(headers([None; 4], [Inherit, Inherit, Set("")], None)),
            "init.context.hierarchyId"
        );
        assert_eq!(
            field_of(headers([None; 4], [Inherit; 3], Some(""))),
            "correlationId"
        );
        let (long, longest) = ("x".repeat(257), "x".repeat(256));
        assert_eq!(field_of(only(0, &long)), "context.employeeId");
        assert!(only(0, &longest).is_ok());
    }
}
