//! User actions on a running simulation: what `Simulation::apply` does and refuses.

use brokerlab::sim::{Action, ResetSpec, SeekSpec, Simulation, TargetSpec, ready};
use brokerlab::{Duration, Instant};

fn running(id: &str, ms: u64) -> Simulation {
    let mut sim = Simulation::new(&ready::load(id).expect("ready-made")).expect("valid");
    sim.run_until(Instant::from_millis(ms));
    sim
}

fn publish(target: TargetSpec, headers: &[(&str, &str)]) -> Action {
    Action::Publish {
        target,
        key: Some("k1".into()),
        payload: "by hand".into(),
        count: 1,
        headers: headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

#[test]
fn a_published_message_keeps_its_headers_while_queued() {
    // C at 3 s: email-worker is down, so email's queue holds what arrives.
    let mut sim = running("c", 3_000);
    let action = publish(
        TargetSpec::Exchange {
            exchange: "orders".into(),
            routing_key: String::new(),
        },
        &[("source", "playground"), ("trace", "7")],
    );
    sim.apply(&action).expect("applies");
    let b = sim.broker();
    let email = b.queue_id("email").expect("email queue");
    let last = b.ready_messages(email).last().expect("queued").message;
    let meta = b.message_meta(email, last).expect("has properties");
    assert_eq!(
        meta.headers,
        vec![
            ("source".to_owned(), "playground".to_owned()),
            ("trace".to_owned(), "7".to_owned())
        ]
    );
    assert_eq!(
        b.message_payload(email, last)
            .map(|p| p.as_bytes().to_vec()),
        Some(b"by hand".to_vec())
    );
}

#[test]
fn a_stream_record_keeps_its_headers() {
    let mut sim = running("d", 1_000);
    sim.apply(&publish(
        TargetSpec::Stream("clicks".into()),
        &[("source", "playground"), ("trace", "7")],
    ))
    .expect("applies");
    let b = sim.broker();
    let stream = b.stream_id("clicks").expect("clicks");
    let record = (0..b.stream_config(stream).expect("config").partitions)
        .filter_map(|p| {
            let sp = brokerlab::StreamPartition::new(stream, p);
            let end = b.partition_stats(sp)?.bounds.end;
            b.stream_record(sp, brokerlab::Offset(end.0.checked_sub(1)?))
        })
        .find(|r| r.payload.as_bytes() == b"by hand")
        .expect("the record is in its key's partition");
    assert_eq!(record.key.as_deref(), Some(&b"k1"[..]));
    assert_eq!(
        record.headers,
        vec![
            ("source".to_owned(), "playground".to_owned()),
            ("trace".to_owned(), "7".to_owned())
        ]
    );
}

#[test]
fn a_header_without_a_name_is_refused() {
    let mut sim = running("a", 500);
    let err = sim
        .apply(&publish(TargetSpec::Queue("jobs".into()), &[("", "x")]))
        .expect_err("refused");
    assert!(err.to_string().contains("needs a name"), "{err}");
}

#[test]
fn seeking_a_group_member_to_the_beginning_rereads_from_offset_zero() {
    let mut sim = running("e", 3_000);
    sim.apply(&Action::Seek {
        consumer: "analytics-1".into(),
        partition: None,
        to: SeekSpec::Beginning,
    })
    .expect("applies");
    let member = sim
        .consumer_views()
        .into_iter()
        .find(|c| c.name == "analytics-1")
        .expect("member");
    assert!(!member.partitions.is_empty());
    assert!(
        member
            .partitions
            .iter()
            .all(|p| p.position.is_some_and(|o| o.0 <= 1)),
        "{:?}",
        member.partitions
    );
    sim.step(Duration::from_millis(10));
}

#[test]
fn setting_a_rate_to_zero_stops_the_producer() {
    let mut sim = running("a", 1_000);
    sim.apply(&Action::SetRate {
        producer: "api".into(),
        rate_per_sec: 0,
    })
    .expect("applies");
    assert_eq!(sim.producer_rate("api"), Some(0));
    let published = sim.totals().published;
    sim.step(Duration::from_millis(2_000));
    assert_eq!(sim.totals().published, published);
}

fn newest(sim: &Simulation) -> brokerlab::MessageId {
    let next = sim.broker().next_message_id().0;
    assert!(next > 1, "something was published");
    brokerlab::MessageId(next - 1)
}

#[test]
fn recent_messages_remember_the_hash_of_their_key() {
    // E's producer keys orders by customer; copies of one key share a hash.
    let mut sim = running("e", 2_000);
    let last = newest(&sim);
    assert_eq!(sim.last_message(), Some(last), "appends name their message");
    let hash = sim.message_key_hash(last).expect("keyed");
    sim.apply(&publish(TargetSpec::Stream("orders".into()), &[]))
        .expect("applies");
    let by_hand = newest(&sim);
    let k1 = sim.message_key_hash(by_hand).expect("keyed by hand");
    sim.apply(&publish(TargetSpec::Stream("orders".into()), &[]))
        .expect("applies");
    let again = newest(&sim);
    assert_eq!(sim.message_key_hash(again), Some(k1), "same key, same hash");
    assert_ne!(k1, hash);
    // Messages published without a key have none.
    let a = running("a", 2_000);
    let m = newest(&a);
    assert_eq!(a.message_key_hash(m), None);
}

#[test]
fn an_offset_reset_waits_for_an_empty_group_then_rewinds_it() {
    // E at 3 s: backup-1 reads `orders` and commits as it goes.
    let mut sim = running("e", 3_000);
    let reset = Action::ResetOffsets {
        group: "backup".into(),
        stream: None,
        partition: None,
        to: ResetSpec::Earliest,
    };
    let err = sim.apply(&reset).expect_err("the group has a member");
    assert!(
        err.to_string()
            .contains("can only be reset if the group 'backup' is inactive"),
        "{err}"
    );
    sim.apply(&Action::RemoveConsumer {
        consumer: "backup-1".into(),
    })
    .expect("leaves");
    let b = sim.broker();
    let g = b.group_id("backup").expect("group");
    let before: Vec<_> = b.group_partitions(g).iter().map(|p| p.committed).collect();
    assert!(
        before.iter().all(|c| c.is_some_and(|o| o.0 > 0)),
        "{before:?}"
    );
    sim.apply(&reset).expect("an empty group resets");
    let b = sim.broker();
    let after: Vec<_> = b.group_partitions(g).iter().map(|p| p.committed).collect();
    assert_eq!(after, vec![Some(brokerlab::Offset(0)); 3]);
    // A partition of one stream, shifted: clamped to the log.
    sim.apply(&Action::ResetOffsets {
        group: "backup".into(),
        stream: Some("orders".into()),
        partition: Some(1),
        to: ResetSpec::ShiftBy(-5),
    })
    .expect("shifts");
    let b = sim.broker();
    assert_eq!(
        b.group_partitions(g)[1].committed,
        Some(brokerlab::Offset(0))
    );
}

#[test]
fn deleting_a_group_is_refused_while_it_has_members_and_leaves_it_dead() {
    // E at 3 s: backup has backup-1.
    let mut sim = running("e", 3_000);
    let delete = Action::DeleteGroup {
        group: "backup".into(),
    };
    let refused = sim.apply(&delete).expect_err("backup has a member");
    assert!(refused.to_string().contains("not empty"), "{refused}");
    sim.apply(&Action::RemoveConsumer {
        consumer: "backup-1".into(),
    })
    .expect("removes");
    sim.apply(&delete).expect("deletes the empty group");
    let backup = sim
        .group_views()
        .into_iter()
        .find(|g| g.name == "backup")
        .expect("still a group of the scenario");
    assert_eq!(backup.state, brokerlab::GroupState::Dead);
    assert_eq!(sim.broker().group_id("backup"), None);
}
