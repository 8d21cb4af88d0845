//! CORS for the read API: every `GET`/`HEAD` answer carries
//! `Access-Control-Allow-Origin: *`, so an explorer or a browser-based verifier hosted
//! elsewhere can read the log. Everything served that way is public and verified by the
//! reader, and no request uses cookies or credentials, so `*` gives nothing away. Writes
//! (`POST /v1/statements`) get no CORS header: a web page cannot post on a visitor's
//! behalf (it would also need the participant's private key, but there is no reason to
//! open the door).

use axum::extract::Request;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

/// Adds `Access-Control-Allow-Origin: *` to answers to `GET` and `HEAD`.
pub async fn allow_reads(request: Request, next: Next) -> Response {
    let read = matches!(*request.method(), Method::GET | Method::HEAD);
    let mut response = next.run(request).await;
    if read {
        response.headers_mut().insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}
