//! Faults against a real `finrisk serve` on loopback: slow readers, malformed HTTP/2 frames
//! (including a rapid-reset flood), 10,000 concurrent streams and SIGTERM under load. Each test
//! checks that the calls the fault does not cancel are answered, exactly once and correctly, and
//! that the server keeps serving.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed set-up should panic"
)]

mod common;

use common::server::{Server, client, start};
use finrisk_proto::examples;
use finrisk_proto::v1 as pb;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Code;

fn case_request(id: &str) -> pb::ScoreCaseRequest {
    let mut case = examples::case();
    case.case_id = id.to_string();
    pb::ScoreCaseRequest {
        case: Some(case),
        include_result_json: false,
    }
}

/// One ScoreCase call that must succeed with the case's own id and a grade.
async fn score_ok(server: &Server, id: &str) {
    let mut c = client(server).await;
    let mut request = tonic::Request::new(case_request(id));
    request.set_timeout(Duration::from_secs(20));
    let r = c.score_case(request).await.unwrap().into_inner();
    assert_eq!(r.case_id, id);
    assert!(!r.assessment.unwrap().grade.is_empty());
}

fn no_panic_in_log(server: &Server) {
    let log = server.log.lock().unwrap();
    assert!(
        !log.iter()
            .any(|l| l.contains("panic") || l.contains("handler panicked")),
        "the server log shows a panic:\n{}",
        log.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_reader_gets_every_answer_in_order_while_others_are_served() {
    let server = start(&[]);
    let mut slow = client(&server).await;
    let total = 3_000;
    let (tx, rx) = mpsc::channel::<pb::ScoreCaseRequest>(16);
    let sender = tokio::spawn(async move {
        for k in 0..total {
            if tx.send(case_request(&format!("S-{k:05}"))).await.is_err() {
                break;
            }
        }
    });
    let mut responses = slow
        .score_cases(ReceiverStream::new(rx))
        .await
        .unwrap()
        .into_inner();
    // The slow reader: a pause of 150 ms after every 100 answers, so the flow-control windows
    // fill and the server has to wait for it (about 4.5 s of pauses in all).
    let reader = tokio::spawn(async move {
        let mut ids = Vec::with_capacity(total);
        while let Some(r) = responses.message().await.unwrap() {
            ids.push(r.case_id);
            if ids.len() % 100 == 0 {
                tokio::time::sleep(Duration::from_millis(150)).await;
            }
        }
        ids
    });
    // Meanwhile, other callers on other connections are answered as usual.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for k in 0..50 {
        score_ok(&server, &format!("F-{k:03}")).await;
    }
    assert!(
        !reader.is_finished(),
        "the slow reader finished before the other calls: the test did not overlap them"
    );
    let ids = reader.await.unwrap();
    sender.await.unwrap();
    let expected: Vec<String> = (0..total).map(|k| format!("S-{k:05}")).collect();
    assert_eq!(ids, expected, "answers lost, duplicated or out of order");
    no_panic_in_log(&server);
}

/// A frame: 24-bit length, type, flags, 31-bit stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut out = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const PING: u8 = 0x6;
const GOAWAY: u8 = 0x7;
const WINDOW_UPDATE: u8 = 0x8;
const END_HEADERS: u8 = 0x4;

/// A valid HPACK block for a ScoreCase call (no Huffman, no dynamic table).
fn score_case_headers() -> Vec<u8> {
    fn literal(out: &mut Vec<u8>, name_index: u8, name: &str, value: &str) {
        // Literal header field without indexing: indexed name (4-bit prefix) or a new name.
        out.push(name_index);
        if name_index == 0 {
            out.push(name.len() as u8);
            out.extend_from_slice(name.as_bytes());
        }
        out.push(value.len() as u8);
        out.extend_from_slice(value.as_bytes());
    }
    let mut h = vec![0x83, 0x86]; // :method POST, :scheme http (static table)
    literal(&mut h, 4, "", "/finrisk.v1.RiskAssessment/ScoreCase");
    literal(&mut h, 1, "", "localhost");
    literal(&mut h, 0, "content-type", "application/grpc");
    literal(&mut h, 0, "te", "trailers");
    h
}

/// What the server did with a connection: the error code of its GOAWAY, if it sent one, and
/// whether it closed the connection.
#[derive(Debug)]
struct Outcome {
    goaway: Option<u32>,
    closed: bool,
}

/// Sends `bytes` on a new connection (then ends our side of it if `then_eof`), and reads
/// frames for up to 3 s, until a GOAWAY or EOF.
fn send_raw(addr: &str, bytes: &[u8], then_eof: bool) -> Outcome {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    // The server may close before all is written; that is one of the answers we accept.
    let _ = tcp.write_all(bytes);
    if then_eof {
        let _ = tcp.shutdown(std::net::Shutdown::Write);
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut outcome = Outcome {
        goaway: None,
        closed: false,
    };
    while Instant::now() < deadline {
        match tcp.read(&mut chunk) {
            Ok(0) => {
                outcome.closed = true;
                break;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => {
                outcome.closed = true;
                break;
            }
        }
        let mut at = 0;
        while buf.len() >= at + 9 {
            let len = (usize::from(buf[at]) << 16)
                | (usize::from(buf[at + 1]) << 8)
                | usize::from(buf[at + 2]);
            if buf.len() < at + 9 + len {
                break;
            }
            if buf[at + 3] == GOAWAY && len >= 8 {
                let p = &buf[at + 9..at + 9 + len];
                outcome.goaway = Some(u32::from_be_bytes([p[4], p[5], p[6], p[7]]));
            }
            at += 9 + len;
        }
        if outcome.goaway.is_some() {
            break;
        }
    }
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_http2_frames_are_refused_and_the_server_keeps_serving() {
    let server = start(&[]);
    let settings = frame(SETTINGS, 0, 0, &[]);
    let with_preface = |frames: &[Vec<u8>]| -> Vec<u8> {
        let mut out = PREFACE.to_vec();
        out.extend_from_slice(&settings);
        for f in frames {
            out.extend_from_slice(f);
        }
        out
    };
    // What the server must do: end the connection with a GOAWAY carrying an error code (RFC
    // 9113 section 5.4.1; the h2 crate sends PROTOCOL_ERROR for most framing errors), or, for
    // bytes that are not HTTP/2 at all, close it.
    enum Answer {
        Goaway,
        Close,
        /// We end the connection mid-frame: the server closes its side.
        Eof,
    }
    let cases: Vec<(&str, Vec<u8>, Answer)> = vec![
        (
            "HTTP/1.1 instead of the preface",
            b"GET / HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
            Answer::Close,
        ),
        (
            "binary garbage instead of the preface",
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
                .collect(),
            Answer::Close,
        ),
        (
            "SETTINGS with a length not a multiple of 6",
            with_preface(&[frame(SETTINGS, 0, 0, &[0, 3, 0, 0, 0])]),
            Answer::Goaway,
        ),
        (
            "HEADERS on stream 0",
            with_preface(&[frame(HEADERS, END_HEADERS, 0, &score_case_headers())]),
            Answer::Goaway,
        ),
        (
            "HEADERS with an undecodable HPACK block",
            with_preface(&[frame(HEADERS, END_HEADERS, 1, &[0xff; 32])]),
            Answer::Goaway,
        ),
        (
            "DATA on a stream never opened",
            with_preface(&[frame(DATA, 0, 1, b"hello")]),
            Answer::Goaway,
        ),
        (
            "WINDOW_UPDATE of 0 on the connection",
            with_preface(&[frame(WINDOW_UPDATE, 0, 0, &[0, 0, 0, 0])]),
            Answer::Goaway,
        ),
        (
            "PING with 7 bytes",
            with_preface(&[frame(PING, 0, 0, &[0; 7])]),
            Answer::Goaway,
        ),
        (
            "a frame longer than the 16 KiB maximum frame size",
            with_preface(&[frame(DATA, 0, 1, &vec![0u8; 20_000])]),
            Answer::Goaway,
        ),
        (
            "half a frame header, then EOF",
            {
                let mut b = with_preface(&[]);
                b.extend_from_slice(&[0, 0, 8, GOAWAY]);
                b
            },
            Answer::Eof,
        ),
    ];
    // A well-behaved caller keeps calling throughout.
    let well_behaved = {
        let addr = server.addr.clone();
        tokio::spawn(async move {
            let channel = tonic::transport::Channel::from_shared(format!("http://{addr}"))
                .unwrap()
                .connect()
                .await
                .unwrap();
            let mut c = pb::risk_assessment_client::RiskAssessmentClient::new(channel);
            let mut answered = 0;
            let until = Instant::now() + Duration::from_secs(3);
            while Instant::now() < until {
                let id = format!("W-{answered:05}");
                let r = c.score_case(case_request(&id)).await.unwrap().into_inner();
                assert_eq!(r.case_id, id);
                answered += 1;
            }
            answered
        })
    };
    let addr = server.addr.clone();
    let outcomes = tokio::task::spawn_blocking(move || {
        cases
            .into_iter()
            .map(|(name, bytes, expected)| {
                let then_eof = matches!(expected, Answer::Eof);
                (name, expected, send_raw(&addr, &bytes, then_eof))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    for (name, expected, outcome) in &outcomes {
        println!("{name}: {outcome:?}");
        match expected {
            Answer::Goaway => assert!(
                outcome.goaway.is_some_and(|c| c != 0),
                "{name}: expected a GOAWAY with an error code, got {outcome:?}"
            ),
            Answer::Close | Answer::Eof => assert!(
                outcome.closed || outcome.goaway.is_some_and(|c| c != 0),
                "{name}: the connection was neither refused nor closed: {outcome:?}"
            ),
        }
    }
    assert!(well_behaved.await.unwrap() > 0);
    score_ok(&server, "after-malformed").await;
    no_panic_in_log(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rapid_reset_flood_does_not_stop_the_server() {
    let server = start(&[]);
    // CVE-2023-44487: open a stream and reset it at once, thousands of times, on one connection.
    let mut bytes = PREFACE.to_vec();
    bytes.extend_from_slice(&frame(SETTINGS, 0, 0, &[]));
    let headers = score_case_headers();
    for k in 0..5_000u32 {
        let stream = 2 * k + 1;
        bytes.extend_from_slice(&frame(HEADERS, END_HEADERS, stream, &headers));
        bytes.extend_from_slice(&frame(RST_STREAM, 0, stream, &8u32.to_be_bytes()));
    }
    let addr = server.addr.clone();
    let flood = tokio::task::spawn_blocking(move || send_raw(&addr, &bytes, false));
    for k in 0..20 {
        score_ok(&server, &format!("R-{k:02}")).await;
    }
    let outcome = flood.await.unwrap();
    // The server may serve the resets or refuse the connection (ENHANCE_YOUR_CALM, 0xb); it
    // must not fall over.
    assert!(
        outcome.goaway.is_none_or(|c| c == 0 || c == 0xb),
        "{outcome:?}"
    );
    score_ok(&server, "after-flood").await;
    no_panic_in_log(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_streams_are_all_answered() {
    let server = start(&[]);
    let connections = 10;
    let per_connection = 1_000; // within the default limit of 1,024 streams per connection
    let total = connections * per_connection;
    // Every stream stays open until all 10,000 have had their answer: they are open at once.
    let all_answered = Arc::new(tokio::sync::Barrier::new(total));
    let mut tasks = Vec::with_capacity(total);
    for conn in 0..connections {
        let c = client(&server).await;
        for k in 0..per_connection {
            let mut c = c.clone();
            let all_answered = Arc::clone(&all_answered);
            tasks.push(tokio::spawn(async move {
                let id = format!("C-{conn:02}-{k:04}");
                let (tx, rx) = mpsc::channel::<pb::ScoreCaseRequest>(1);
                tx.send(case_request(&id)).await.unwrap();
                let mut answers = c
                    .score_cases(ReceiverStream::new(rx))
                    .await
                    .unwrap()
                    .into_inner();
                let first = answers.message().await.unwrap().expect("an answer");
                assert_eq!(first.case_id, id);
                all_answered.wait().await;
                drop(tx); // end the request stream: the server ends the response stream
                assert!(answers.message().await.unwrap().is_none());
                id
            }));
        }
    }
    let ids = tokio::time::timeout(Duration::from_secs(240), async {
        let mut ids = HashSet::with_capacity(total);
        for t in tasks {
            assert!(ids.insert(t.await.unwrap()), "an id answered twice");
        }
        ids
    })
    .await
    .expect("10,000 streams were not all answered within 240 s");
    assert_eq!(ids.len(), total);
    score_ok(&server, "after-10k").await;
    no_panic_in_log(&server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_under_load_loses_and_duplicates_nothing_that_completed() {
    let mut server = start(&[]);
    // Streams opened before the signal, each with 400 cases sent at a steady pace.
    let streams = 4;
    let per_stream = 400;
    let mut stream_tasks = Vec::new();
    for s in 0..streams {
        let mut c = client(&server).await;
        let (tx, rx) = mpsc::channel::<pb::ScoreCaseRequest>(8);
        let mut answers = c
            .score_cases(ReceiverStream::new(rx))
            .await
            .unwrap()
            .into_inner();
        stream_tasks.push(tokio::spawn(async move {
            let sender = tokio::spawn(async move {
                for k in 0..per_stream {
                    tx.send(case_request(&format!("T{s}-{k:04}")))
                        .await
                        .unwrap();
                    tokio::time::sleep(Duration::from_millis(3)).await;
                }
            });
            let mut ids = Vec::new();
            while let Some(r) = answers.message().await.unwrap() {
                ids.push(r.case_id);
            }
            sender.await.unwrap();
            ids
        }));
    }
    // Unary callers in a loop, each call with a fresh id, until the server is gone.
    let mut unary_tasks = Vec::new();
    for u in 0..8 {
        let mut c = client(&server).await;
        unary_tasks.push(tokio::spawn(async move {
            let mut completed = Vec::new();
            let mut refused = 0;
            for k in 0..100_000 {
                let id = format!("U{u}-{k:06}");
                match c.score_case(case_request(&id)).await {
                    Ok(r) => {
                        assert_eq!(r.into_inner().case_id, id, "an answer to another call");
                        completed.push(id);
                    }
                    Err(status) => {
                        // A call the server refused: UNAVAILABLE or CANCELLED from the
                        // server, or a stream the client opened after the server's GOAWAY
                        // (hyper reports it as INTERNAL with the GoAway frame as its source;
                        // HTTP/2 guarantees such a stream was never processed, RFC 9113 6.8).
                        // When the client writes such a stream just as the server, its last
                        // call answered, closes the connection, the server's kernel answers the
                        // unread bytes with a TCP reset, which the client reports as a
                        // transport error (ConnectionReset): refused too, and never counted as
                        // completed. Any other failure fails the test.
                        let debug = format!("{status:?}");
                        let refused_by_goaway =
                            status.code() == Code::Internal && debug.contains("GoAway");
                        let reset_at_close = status.code() == Code::Unknown
                            && debug.contains("transport error")
                            && debug.contains("ConnectionReset");
                        assert!(
                            matches!(status.code(), Code::Unavailable | Code::Cancelled)
                                || refused_by_goaway
                                || reset_at_close,
                            "a call failed with {status:?}"
                        );
                        refused += 1;
                        if refused >= 3 {
                            break;
                        }
                    }
                }
            }
            completed
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    server.terminate();
    // Every stream open at the signal is served to its end: no case lost, none twice, in order.
    for (s, t) in stream_tasks.into_iter().enumerate() {
        let ids = t.await.unwrap();
        let expected: Vec<String> = (0..per_stream).map(|k| format!("T{s}-{k:04}")).collect();
        assert_eq!(ids, expected, "stream {s} lost or repeated answers");
    }
    let mut seen = HashSet::new();
    let mut completed = 0;
    for t in unary_tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "a call answered twice");
            completed += 1;
        }
    }
    assert!(completed > 0, "no unary call completed before the signal");
    let status = server.child.wait().unwrap();
    assert_eq!(status.code(), Some(0));
    no_panic_in_log(&server);
    server.addr.clear();
}
