//! The small MOBPROC resources: ping, me, orders, and the status helper (`/status/{code}`).

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use crate::api::clock::now_rfc3339;
use crate::api::error::error;
use crate::api::guard::Caller;
use crate::params::Params;
use crate::seed::model::Employee;
use crate::state::AppState;

fn person(e: &Employee) -> Value {
    json!({"employeeId": e.id, "name": e.name, "email": e.email})
}

/// The actor: the user, unless a context header names another employee of the tenant.
fn actor<'a>(
    state: &'a AppState,
    caller: &Caller,
    h: &HeaderMap,
) -> Result<&'a Employee, Response> {
    let tenant = &caller.0.tenant;
    let header = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
    let found = if let Some(id) = header("X-TNGO-CONTEXT-EMPLOYEEID") {
        state.seed.by_id(tenant, id)
    } else if let Some(mail) = header("X-TNGO-CONTEXT-COMPANYEMPLOYEEID") {
        state.seed.by_email(tenant, mail)
    } else {
        state.seed.by_id(tenant, &caller.0.employee_id)
    };
    found.ok_or_else(|| {
        error(
            404,
            "Employee-Not-Found",
            "The context employee does not exist.",
        )
    })
}

/// `GET /ping?echoText=…`.
pub async fn ping(RawQuery(q): RawQuery) -> Response {
    let p = Params::query(q.as_deref());
    let echo = p.get("echoText").unwrap_or_default();
    Json(json!({"echoText": echo, "timestamp": now_rfc3339()})).into_response()
}

/// `GET /me`: the user and the actor.
pub async fn me(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    h: HeaderMap,
) -> Response {
    let user = match state.seed.by_id(&caller.0.tenant, &caller.0.employee_id) {
        Some(u) => u,
        None => {
            return error(
                404,
                "Employee-Not-Found",
                "The user has no employee record.",
            )
        }
    };
    let actor = match actor(&state, &caller, &h) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let u = json!({
        "employeeId": user.id,
        "name": user.name,
        "email": user.email,
        "username": caller.0.login,
    });
    Json(json!({"user": u, "actor": person(actor)})).into_response()
}

/// `POST /orders`.
pub async fn orders(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    h: HeaderMap,
    body: Bytes,
) -> Response {
    let actor = match actor(&state, &caller, &h) {
        Ok(a) => person(a),
        Err(r) => return r,
    };
    let order: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return error(400, "Invalid-Body", "The body must be a JSON object."),
    };
    let id = {
        let mut inner = state.lock();
        inner.order_seq += 1;
        format!("O{}", 5000 + inner.order_seq)
    };
    let body = json!({"orderId": id, "status": "submitted", "actor": actor, "order": order});
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `GET|POST /status/{code}`: a Tangoe error with that status.
pub async fn status(Path(code): Path<String>) -> Response {
    match code.parse::<u16>() {
        Ok(c @ 400..=599) => error(c, "Requested", &format!("Status {c} as requested.")),
        _ => error(
            400,
            "Invalid-Status",
            "The status must be between 400 and 599.",
        ),
    }
}

/// Anything else under `/mobproc/v1`.
pub async fn not_found() -> Response {
    error(404, "Not-Found", "No such resource.")
}
