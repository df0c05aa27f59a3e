//! A tiny script language for transcript tests. A transcript is a file in
//! `core/tests/transcripts/` (see `golden.rs`): timed commands, each followed by what the broker
//! reported. [`check`] runs its commands against a fresh broker on one storage backend
//! ([`MemoryStorage`]; [`FileStorage`] in a new temporary folder, flushed after every line;
//! `FileStorage` over a crash-testing file system, killed after its last flush) and compares
//! what it prints with the file; flushing must change nothing. Each run ends with a restart
//! that must keep the broker's durable state (`backend.rs`). A test file lists its transcripts
//! after `transcript:` in [`on_every_backend!`](crate::on_every_backend), a test per backend.
//!
//! **Blessing.** With `BLESS=1` (exactly; refused when `CI` is set) a differing transcript is
//! rewritten with what the run printed instead of failing: only the `MemoryStorage` run writes,
//! the other backends must print the same as a `MemoryStorage` run. Without it a difference fails
//! with a line diff. A new transcript can start as its commands alone (`> @0 …` lines):
//! blessing fills in the rest. After blessing, review the diff (`git diff core/tests/transcripts`).
//! `BLESS=1 cargo test -p brokerlab --test transcript --test streams`
//!
//! Each script line is `@<ms> <command> <args…>` (in a file, `> @<ms> …`); a line starting with
//! `#` is a comment, printed as it is, like blank lines. The transcript echoes each command as
//! `> …` followed by what it returned, if anything, as `= …`, then its events (their `Display`
//! form), and any error as `! error`.
//!
//! Queues and pub/sub:
//! `queue NAME [max_length=N] [overflow=reject] [ttl=MS] [max_deliveries=N] [dlq=NAME] [visibility=MS]`,
//! `exchange NAME fanout|direct|topic`, `bind EXCHANGE QUEUE KEY`, `unbind BINDING_NUMBER`,
//! `consume QUEUE NAME [prefetch=N]`, `publish EXCHANGE KEY PAYLOAD [ttl=MS]` (`-` is the
//! default exchange, `''` an empty key), `ack C TAG`, `ack-multiple C TAG`, `nack C TAG [requeue]`,
//! `reject C TAG`, `cancel C`, `crash C`, `restart C`, `purge Q`, `delete Q`,
//! `subscribe EXCHANGE KEY NAME [capacity=N]`, `receive NAME`, `unsubscribe NAME`.
//!
//! Time: `tick` (handle the timeouts due: retention by age, session timeouts, TTLs, visibility,
//! then print the next timeout), `timeout` (print the next timeout only).
//!
//! Streams (`STREAM/P` is a partition by the stream's name, `orders/0`; a stream consumer `C` is
//! a standalone consumer's name or a group member's `GROUP/MEMBER`):
//! `stream NAME [partitions=N] [max_records=N] [max_bytes=N] [max_age=MS]`,
//! `add-partitions STREAM N` (= the new count), `produce STREAM PAYLOAD [key=K] [partition=P]`,
//! `stream-consumer STREAM NAME [reset=earliest|latest|none]`, `close C`,
//! `poll C [max=N]` (= one line per record: `st1/0@3 m4 "payload" [key="k"] [redelivered]`),
//! `seek C STREAM/P beginning|end|@OFFSET|t=MS` (= the new position), `position C STREAM/P`,
//! `assigned C`, `stats STREAM/P` (= `start..end bytes=N oldest=t`).
//!
//! Groups: `join GROUP MEMBER STREAM[,STREAM…] [assignor=range|roundrobin|sticky|cooperative-sticky]
//! [session=MS] [reset=earliest|latest|none]`, `leave GROUP MEMBER`, `heartbeat GROUP MEMBER`,
//! `commit GROUP MEMBER GENERATION [STREAM/P@OFFSET…]`, `commit-positions GROUP MEMBER`,
//! `lag GROUP STREAM/P`, `committed GROUP STREAM/P`.

#![allow(dead_code, unreachable_pub)]

pub mod backend;
pub mod golden;
mod streams;

use std::fmt::Write as _;

use backend::Backend;
use brokerlab::{
    BindingId, Broker, ConsumerConfig, DeliveryTag, Duration, Error, ExchangeKind, Instant, Limits,
    MemoryStorage, Overflow, Publish, QueueConfig, Received, Storage, SubscriptionConfig,
};

fn opt<'a>(args: &[&'a str], key: &str) -> Option<&'a str> {
    args.iter()
        .find_map(|a| a.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

fn num(args: &[&str], key: &str) -> Option<u64> {
    opt(args, key).map(|v| v.parse().expect("number"))
}

fn exchange(s: &str) -> &str {
    if s == "-" { "" } else { s }
}

fn unquote(s: &str) -> &str {
    if s == "''" { "" } else { s }
}

/// Runs a script on `broker` and returns its transcript. With `flush_each_line` the broker is
/// flushed after every line (after its events are drained), which must change nothing.
pub fn run<S: Storage>(broker: &mut Broker<S>, script: &str, flush_each_line: bool) -> String {
    let mut out = String::new();
    for line in script.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            writeln!(out, "{line}").unwrap();
            continue;
        }
        let (at, cmd) = line.split_once(' ').expect("@time command");
        let now = Instant::from_millis(at.trim_start_matches('@').parse().expect("time"));
        let words: Vec<&str> = cmd.split_whitespace().collect();
        writeln!(out, "> {line}").unwrap();
        let result = exec(broker, now, &words, &mut out);
        while let Some(e) = broker.poll_event() {
            writeln!(out, "  {e}").unwrap();
        }
        if let Err(e) = result {
            writeln!(out, "  ! {e}").unwrap();
        }
        if words[0] == "tick" || words[0] == "timeout" {
            match broker.poll_timeout() {
                Some(t) => writeln!(out, "  next timeout {t}").unwrap(),
                None => writeln!(out, "  no timeout").unwrap(),
            }
        }
        if flush_each_line && let Err(e) = broker.flush() {
            writeln!(out, "  ! flush: {e}").unwrap();
        }
    }
    out
}

fn consumer<S: Storage>(broker: &Broker<S>, name: &str) -> brokerlab::ConsumerId {
    broker
        .consumer_id(name)
        .unwrap_or(brokerlab::ConsumerId(u32::MAX))
}

fn subscription<S: Storage>(broker: &Broker<S>, name: &str) -> brokerlab::SubscriptionId {
    broker
        .subscription_id(name)
        .unwrap_or(brokerlab::SubscriptionId(u32::MAX))
}

fn exec<S: Storage>(
    broker: &mut Broker<S>,
    now: Instant,
    w: &[&str],
    out: &mut String,
) -> Result<(), Error> {
    let tag = |s: &str| DeliveryTag(s.trim_start_matches('d').parse().expect("tag"));
    match w[0] {
        "queue" => {
            let mut cfg = QueueConfig::default();
            if let Some(n) = num(w, "max_length") {
                cfg = cfg.with_max_length(n as usize);
            }
            if opt(w, "overflow") == Some("reject") {
                cfg = cfg.with_overflow(Overflow::RejectPublish);
            }
            if let Some(n) = num(w, "ttl") {
                cfg = cfg.with_message_ttl(Duration::from_millis(n));
            }
            if let Some(n) = num(w, "max_deliveries") {
                cfg = cfg.with_max_deliveries(n as u32);
            }
            if let Some(n) = opt(w, "dlq") {
                cfg = cfg.with_dead_letter_queue(n);
            }
            if let Some(n) = num(w, "visibility") {
                cfg = cfg.with_visibility_timeout(Duration::from_millis(n));
            }
            broker.declare_queue(now, w[1], cfg)?;
        }
        "exchange" => {
            let kind = match w[2] {
                "fanout" => ExchangeKind::Fanout,
                "direct" => ExchangeKind::Direct,
                _ => ExchangeKind::Topic,
            };
            broker.declare_exchange(now, w[1], kind)?;
        }
        "bind" => {
            broker.bind(now, exchange(w[1]), w[2], unquote(w[3]))?;
        }
        "unbind" => broker.unbind(now, BindingId(w[1].parse().expect("binding")))?,
        "consume" => {
            let prefetch = num(w, "prefetch").unwrap_or(0) as u32;
            broker.consume(
                now,
                w[1],
                w[2],
                ConsumerConfig::default().with_prefetch(prefetch),
            )?;
        }
        "publish" => {
            let mut p = Publish::new(exchange(w[1]), unquote(w[2]), w[3]);
            if let Some(n) = num(w, "ttl") {
                p = p.with_ttl(Duration::from_millis(n));
            }
            broker.publish(now, p)?;
        }
        "ack" => broker.ack(now, consumer(broker, w[1]), tag(w[2]))?,
        "ack-multiple" => {
            let n = broker.ack_multiple(now, consumer(broker, w[1]), tag(w[2]))?;
            writeln!(out, "  = {n}").unwrap();
        }
        "nack" => broker.nack(
            now,
            consumer(broker, w[1]),
            tag(w[2]),
            w.get(3) == Some(&"requeue"),
        )?,
        "reject" => broker.reject(now, consumer(broker, w[1]), tag(w[2]), false)?,
        "cancel" => broker.cancel(now, consumer(broker, w[1]))?,
        "crash" => broker.crash_consumer(now, consumer(broker, w[1]))?,
        "restart" => broker.restart_consumer(now, consumer(broker, w[1]))?,
        "tick" => broker.handle_timeout(now),
        "timeout" => {}
        "purge" => {
            broker.purge_queue(now, w[1])?;
        }
        "delete" => broker.delete_queue(now, w[1])?,
        "subscribe" => {
            let cap = num(w, "capacity").unwrap_or(16) as usize;
            broker.subscribe(
                now,
                exchange(w[1]),
                unquote(w[2]),
                w[3],
                SubscriptionConfig::default().with_capacity(cap),
            )?;
        }
        "receive" => match broker.receive(now, subscription(broker, w[1]))? {
            Some(Received::Message { message, payload }) => {
                writeln!(out, "  = {message} {payload:?}").unwrap();
            }
            Some(Received::Lagged(n)) => writeln!(out, "  = lagged {n}").unwrap(),
            None => writeln!(out, "  = empty").unwrap(),
        },
        "unsubscribe" => broker.unsubscribe(now, subscription(broker, w[1]))?,
        other => {
            if !streams::exec(broker, now, w, out)? {
                panic!("unknown command {other}");
            }
        }
    }
    Ok(())
}

/// Runs `script` on a fresh broker over `S` with `limits` and returns the transcript; then
/// checks the broker survives a restart (see [`Backend::run`]).
#[track_caller]
pub fn run_on<S: Backend>(script: &str, limits: Limits, flush_each_line: bool) -> String {
    S::run("transcript", limits, |broker| {
        run(broker, script, flush_each_line)
    })
}

/// [`check_with`] under [`Limits::default`].
#[track_caller]
pub fn check<S: Backend>(name: &str) {
    check_with::<S>(name, Limits::default());
}

/// Runs the transcript file `name` (`core/tests/transcripts/<name>.txt`) on a broker over `S`
/// with `limits` and asserts it prints the file, flushing after every line unless `S` is
/// [`MemoryStorage`]. Under `BLESS=1` it rewrites the file instead (see the module docs).
#[track_caller]
pub fn check_with<S: Backend>(name: &str, limits: Limits) {
    let path = golden::path(name);
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("transcript {}: {e}", path.display()));
    let script = golden::script_of(&expected);
    let memory = S::NAME == MemoryStorage::NAME;
    let got = run_on::<S>(&script, limits, !memory);
    if golden::blessing() {
        if memory {
            if !golden::same(&expected, &got) {
                golden::write(&path, &got);
                eprintln!("blessed {}", path.display());
            }
        } else {
            let reference = run_on::<MemoryStorage>(&script, limits, false);
            if !golden::same(&reference, &got) {
                panic!(
                    "transcript {name} on {} differs from MemoryStorage's, so it cannot be blessed \
                     (- MemoryStorage, + {}):\n{}",
                    S::NAME,
                    S::NAME,
                    golden::diff(&reference, &got)
                );
            }
        }
        return;
    }
    if !golden::same(&expected, &got) {
        panic!(
            "transcript {name} on {} differs from {} (- expected, + got):\n{}\
             after a deliberate change: `BLESS=1 cargo test -p brokerlab --test {}`, \
             then review `git diff core/tests/transcripts`",
            S::NAME,
            path.display(),
            golden::diff(&expected, &got),
            env!("CARGO_CRATE_NAME"),
        );
    }
}
