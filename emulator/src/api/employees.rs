//! `GET /employees` with limit/offset pagination and `GET /employees/{id}`.

use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use crate::api::error::error;
use crate::api::guard::Caller;
use crate::params::Params;
use crate::seed::model::Employee;
use crate::state::AppState;

/// Default page size.
pub const DEFAULT_LIMIT: usize = 10;
/// Largest page size.
pub const MAX_LIMIT: usize = 100;

/// The JSON of one employee, with its `_meta.href`.
pub fn employee_json(base: &str, e: &Employee) -> Value {
    json!({
        "employeeId": e.id,
        "name": e.name,
        "email": e.email,
        "_meta": {"href": format!("{base}/mobproc/v1/employees/{}", e.id)},
    })
}

fn number(p: &Params, name: &str, default: usize) -> Result<usize, Response> {
    match p.get(name) {
        None => Ok(default),
        Some(v) => v.parse().map_err(|_| {
            error(
                400,
                "Invalid-Pagination",
                &format!("{name} must be a non-negative integer."),
            )
        }),
    }
}

/// The `_meta` block: `href*` links only when they point to another page.
pub fn meta(base: &str, limit: usize, offset: usize, total: usize) -> Value {
    let link = |o: usize| format!("{base}/mobproc/v1/employees?limit={limit}&offset={o}");
    let last = if total == 0 {
        0
    } else {
        (total - 1) / limit * limit
    };
    let mut m = Map::new();
    m.insert("href".into(), link(offset).into());
    if offset != 0 {
        m.insert("hrefStart".into(), link(0).into());
        m.insert(
            "hrefPrevious".into(),
            link(offset.saturating_sub(limit)).into(),
        );
    }
    if offset + limit < total {
        m.insert("hrefNext".into(), link(offset + limit).into());
    }
    if last != offset {
        m.insert("hrefEnd".into(), link(last).into());
    }
    m.insert("limit".into(), limit.into());
    m.insert("offset".into(), offset.into());
    m.insert("totalCount".into(), total.into());
    Value::Object(m)
}

/// `GET /employees?limit&offset`.
pub async fn list(
    State(state): State<AppState>,
    Extension(Caller(subject)): Extension<Caller>,
    RawQuery(q): RawQuery,
) -> Response {
    let p = Params::query(q.as_deref());
    let (limit, offset) = match (number(&p, "limit", DEFAULT_LIMIT), number(&p, "offset", 0)) {
        (Ok(l), Ok(o)) => (l, o),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if limit == 0 || limit > MAX_LIMIT {
        let msg = format!("limit must be between 1 and {MAX_LIMIT}.");
        return error(400, "Invalid-Pagination", &msg);
    }
    let all = state.seed.employees(&subject.tenant);
    let base = &state.base_url;
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(limit)
        .map(|e| employee_json(base, e))
        .collect();
    let body = json!({"employees": page, "_meta": meta(base, limit, offset, all.len())});
    Json(body).into_response()
}

/// `GET /employees/{id}`.
pub async fn one(
    State(state): State<AppState>,
    Extension(Caller(subject)): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    match state.seed.by_id(&subject.tenant, &id) {
        Some(e) => Json(employee_json(&state.base_url, e)).into_response(),
        None => error(404, "Employee-Not-Found", "No employee with this id."),
    }
}
