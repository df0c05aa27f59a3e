//! A tiny script language for transcript tests: `check(script, expect)` runs timed commands
//! against a fresh broker on each storage backend ([`MemoryStorage`], then [`FileStorage`] in
//! a new temporary folder, flushed after every line, then `FileStorage` over a crash-testing
//! file system, killed after its last flush) and compares each event transcript with the
//! expected one; flushing must change nothing. Each run ends with a restart that must keep the
//! broker's durable state (`backend.rs`).
//!
//! Each script line is `@<ms> <command> <args…>`; the transcript echoes each command as
//! `> …` followed by its events (their `Display` form) and any error as `! error`.
//! Commands:
//! `queue NAME [max_length=N] [overflow=reject] [ttl=MS] [max_deliveries=N] [dlq=NAME] [visibility=MS]`,
//! `exchange NAME fanout|direct|topic`, `bind EXCHANGE QUEUE KEY`, `unbind BINDING_NUMBER`,
//! `consume QUEUE NAME [prefetch=N]`, `publish EXCHANGE KEY PAYLOAD [ttl=MS]` (`-` is the
//! default exchange, `''` an empty key), `ack C TAG`, `ack-multiple C TAG`, `nack C TAG [requeue]`,
//! `reject C TAG`, `cancel C`, `crash C`, `restart C`, `tick`, `purge Q`, `delete Q`,
//! `subscribe EXCHANGE KEY NAME [capacity=N]`, `receive NAME`, `unsubscribe NAME`.

#![allow(dead_code, unreachable_pub)]

pub mod backend;

use std::fmt::Write as _;

use backend::Backend;
use brokerlab::storage::FileStorage;
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
    for line in script.lines().map(str::trim).filter(|l| !l.is_empty()) {
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
        if words[0] == "tick" {
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
        other => panic!("unknown command {other}"),
    }
    Ok(())
}

/// Runs `script` on a fresh broker over `S` and returns the transcript; then checks the broker
/// survives a restart (see [`Backend::run`]).
#[track_caller]
pub fn run_on<S: Backend>(script: &str, flush_each_line: bool) -> String {
    S::run("transcript", Limits::default(), |broker| {
        run(broker, script, flush_each_line)
    })
}

/// Runs `script` on each backend and asserts each transcript equals `expect` (compared line by
/// line, ignoring leading and trailing whitespace); a failure names the backend.
#[track_caller]
pub fn check(script: &str, expect: &str) {
    let norm = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect()
    };
    type Killed = FileStorage<backend::crash_fs::CrashFs>;
    for (backend, got) in [
        (MemoryStorage::NAME, run_on::<MemoryStorage>(script, false)),
        (
            <FileStorage as Backend>::NAME,
            run_on::<FileStorage>(script, true),
        ),
        (Killed::NAME, run_on::<Killed>(script, true)),
    ] {
        if norm(&got) != norm(expect) {
            panic!(
                "transcript on {backend} differs.\n--- got ---\n{got}--- expected ---\n{expect}"
            );
        }
    }
}
