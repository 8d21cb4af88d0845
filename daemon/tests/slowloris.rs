//! Attacks on the serving loop, over loopback, with a bounded number of connections:
//! slowly trickled headers and bodies, and a client that stops reading. Each must be
//! closed after its timeout, and must not stop a normal request from being answered.

// In a test, a panic with its location is the report.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::routing::{get, post};
use docket_daemon::serve::{ServeLimits, serve};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const SHORT: Duration = Duration::from_millis(300);
/// "Answered at all": far above every timeout, so only a hang fails it.
const GENEROUS: Duration = Duration::from_secs(20);
const MAX_CONNECTIONS: usize = 4;

/// An endless response body, produced only as fast as it is sent.
struct Endless;

impl http_body::Body for Endless {
    type Data = Bytes;
    type Error = std::convert::Infallible;
    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        std::task::Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(vec![
            b'x';
            64 * 1024
        ])))))
    }
}

struct Running {
    addr: std::net::SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start() -> Running {
    let app = Router::new()
        .route("/hello", get(|| async { "hello\n" }))
        .route(
            "/echo",
            post(
                |body: Result<Bytes, axum::extract::rejection::BytesRejection>| async move {
                    match body {
                        Ok(body) => (axum::http::StatusCode::OK, body.to_vec()),
                        Err(rejection) => (rejection.status(), rejection.body_text().into_bytes()),
                    }
                },
            ),
        )
        .route("/endless", get(|| async { Body::new(Endless) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let limits = ServeLimits {
        header_timeout: SHORT,
        body_timeout: SHORT,
        idle_timeout: SHORT,
        max_connections: MAX_CONNECTIONS,
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    Running { addr, stop, task }
}

/// Reads until the server closes the connection; returns the bytes read. Fails the
/// test if the connection is still open after [`GENEROUS`].
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let result = tokio::time::timeout(GENEROUS, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(result.is_ok(), "the server never closed the connection");
    got
}

async fn hello(addr: std::net::SocketAddr) -> String {
    let client = docket_common::https::plain_builder()
        .timeout(GENEROUS)
        .build()
        .unwrap();
    let response = client
        .get(format!("http://{addr}/hello"))
        .send()
        .await
        .expect("a normal request is answered despite the attack");
    response.text().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trickled_headers_are_cut_off_and_do_not_block_a_normal_request() {
    let server = start().await;
    // Three times as many slowloris connections as the server admits, each sending a
    // header byte now and then, never finishing its head.
    let mut attackers = Vec::new();
    for i in 0..(3 * MAX_CONNECTIONS) {
        let addr = server.addr;
        attackers.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            let head = format!("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-{i}: ");
            let _ = stream.write_all(head.as_bytes()).await;
            // Bounded: at most 400 bytes, one every 50 ms.
            for _ in 0..400 {
                if stream.write_all(b"a").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                // Stop trickling once the server has closed the connection.
                let mut probe = [0u8; 1];
                match tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
                {
                    Ok(Ok(0)) | Ok(Err(_)) => return true,
                    _ => {}
                }
            }
            let mut stream = stream;
            let rest = read_until_closed(&mut stream).await;
            rest.is_empty()
        }));
    }
    assert_eq!(hello(server.addr).await, "hello\n");
    for attacker in attackers {
        assert!(attacker.await.unwrap(), "a trickling connection was served");
    }
    // And again, once they are all gone.
    assert_eq!(hello(server.addr).await, "hello\n");
    server.stop.send(()).unwrap();
    tokio::time::timeout(GENEROUS, server.task)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off() {
    let server = start().await;
    let mut attackers = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        let addr = server.addr;
        attackers.push(tokio::spawn(async move {
            let mut stream = TcpStream::connect(addr).await.unwrap();
            stream
                .write_all(
                    b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nab",
                )
                .await
                .unwrap();
            // A byte every 50 ms would take over an hour; the body timeout is total.
            for _ in 0..400 {
                if stream.write_all(b"c").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                let mut probe = [0u8; 512];
                match tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe)).await
                {
                    Ok(Ok(0)) | Ok(Err(_)) => return String::new(),
                    Ok(Ok(n)) => {
                        let mut answer = probe[..n].to_vec();
                        answer.extend(read_until_closed(&mut stream).await);
                        return String::from_utf8_lossy(&answer).into_owned();
                    }
                    Err(_) => {}
                }
            }
            panic!("the trickled body was never cut off");
        }));
    }
    assert_eq!(hello(server.addr).await, "hello\n");
    for attacker in attackers {
        let answer = attacker.await.unwrap();
        // Either an error answer or a bare close; never a 200.
        assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    let _ = server.stop.send(());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_closed() {
    let server = start().await;
    let mut streams = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        let mut stream = TcpStream::connect(server.addr).await.unwrap();
        stream
            .write_all(b"GET /endless HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .await
            .unwrap();
        streams.push(stream);
    }
    // None of them reads; the server's writes stall and the idle timeout closes them,
    // so a normal request gets a connection.
    assert_eq!(hello(server.addr).await, "hello\n");
    for mut stream in streams {
        // What was buffered in flight drains, then the connection ends: the response
        // is endless, so ending at all means the server closed it.
        let got = read_until_closed(&mut stream).await;
        assert!(got.starts_with(b"HTTP/1.1 200"));
    }
    let _ = server.stop.send(());
}
