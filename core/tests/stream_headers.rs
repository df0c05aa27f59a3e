//! Stream records with application headers (`Broker::produce_with_headers`): kept in order,
//! given back by every poll and by `stream_record`, bounded like a queue message's headers,
//! and kept by every storage backend across a restart (each body ends with a flush and a
//! restart whose recovered broker must list the same records with the same headers, see
//! `support/backend.rs`).

mod support;

use support::backend;

use brokerlab::{
    Broker, Error, Instant, Limits, NameError, Offset, ProduceError, Storage, StreamConfig,
    StreamConsumerConfig, StreamPartition,
};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn headers_are_kept_in_order_and_polled<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    let s = b.declare_stream(t(0), "orders", StreamConfig::new(1))?;
    let p0 = StreamPartition::new(s, 0);
    let c = b.stream_consumer(
        t(0),
        "orders",
        "reader",
        StreamConsumerConfig::default().with_auto_offset_reset(brokerlab::OffsetReset::Earliest),
    )?;
    let first = h(&[("trace", "t-1"), ("source", "web"), ("trace", "again")]);
    b.produce_with_headers(t(1), "orders", Some(b"o1"), "created", first.clone())?;
    b.produce(t(2), "orders", Some(b"o1"), "paid")?;
    b.produce_with_headers(t(3), "orders", None, "keyless", h(&[("empty", "")]))?;
    let polled = b.poll(t(4), c, 10)?;
    let got: Vec<_> = polled.iter().map(|r| r.headers.clone()).collect();
    assert_eq!(got, [first.clone(), Vec::new(), h(&[("empty", "")])]);
    assert_eq!(polled[0].key.as_deref(), Some(&b"o1"[..]));
    assert_eq!(polled[2].key, None);
    let again = b.stream_record(p0, Offset(0)).expect("retained");
    assert_eq!(again.headers, first);
    Ok(())
}

fn header_limits_are_typed_errors<S: Storage>(b: &mut Broker<S>) -> Result<(), Error> {
    b.declare_stream(t(0), "s", StreamConfig::new(1))?;
    let max = Limits::default().max_headers;
    let many: Vec<_> = (0..=max)
        .map(|i| (format!("h{i}"), String::new()))
        .collect();
    assert_eq!(
        b.produce_with_headers(t(1), "s", None, "x", many),
        Err(ProduceError::TooManyHeaders {
            count: max + 1,
            max
        })
    );
    assert_eq!(
        b.produce_with_headers(t(1), "s", None, "x", h(&[("", "v")])),
        Err(ProduceError::InvalidHeader(NameError::Empty))
    );
    assert_eq!(
        b.produce_with_headers(t(1), "s", None, "x", h(&[("a", "line\nbreak")])),
        Err(ProduceError::InvalidHeader(NameError::ControlChar))
    );
    let long = "v".repeat(Limits::default().max_key_len + 1);
    assert!(matches!(
        b.produce_with_headers(t(1), "s", None, "x", vec![("a".into(), long)]),
        Err(ProduceError::InvalidHeader(NameError::TooLong { .. }))
    ));
    let s0 = StreamPartition::new(b.stream_id("s").expect("s"), 0);
    assert_eq!(
        b.partition_stats(s0).map(|p| p.bounds.end),
        Some(Offset(0)),
        "nothing appended"
    );
    let full: Vec<_> = (0..max).map(|i| (format!("h{i}"), "v".into())).collect();
    b.produce_with_headers(t(2), "s", None, "x", full)?;
    Ok(())
}

on_every_backend! {
    broker:
        headers_are_kept_in_order_and_polled,
        header_limits_are_typed_errors;
}
