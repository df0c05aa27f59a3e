//! Message stories: every event the engine reported about a message, kept per message in
//! bounded memory, with where a stream record stands now.

use brokerlab::sim::{Simulation, ready};
use brokerlab::{Event, Instant};

fn kinds(story: &brokerlab::sim::Story) -> Vec<&'static str> {
    story
        .events
        .iter()
        .filter_map(|e| e.broker())
        .map(|e| match e {
            Event::Published { .. } => "published",
            Event::Routed { .. } => "routed",
            Event::Enqueued { .. } => "enqueued",
            Event::Delivered { .. } => "delivered",
            Event::Acked { .. } => "acked",
            Event::Requeued { .. } => "requeued",
            Event::Buffered { .. } => "buffered",
            Event::Received { .. } => "received",
            Event::Appended { .. } => "appended",
            Event::Polled { .. } => "polled",
            _ => "other",
        })
        .collect()
}

#[test]
fn a_queued_job_tells_its_route_its_deliveries_and_its_ack() {
    let mut sim = Simulation::new(&ready::load("a").unwrap()).unwrap();
    sim.keep_stories(10_000);
    sim.run_until(Instant::from_millis(6_000));
    let first = sim.story_ids().next().unwrap();
    let story = sim.story(first).unwrap();
    let k = kinds(&story);
    assert_eq!(&k[..3], ["published", "routed", "enqueued"], "{k:?}");
    assert!(k.contains(&"delivered") && k.contains(&"acked"), "{k:?}");
    assert_eq!(story.record, None, "a queue message, not a stream record");
}

#[test]
fn a_stream_record_tells_who_read_it_and_which_groups_committed_past_it() {
    let mut sim = Simulation::new(&ready::load("e").unwrap()).unwrap();
    sim.keep_stories(10_000);
    sim.run_until(Instant::from_millis(8_000));
    let first = sim.story_ids().next().unwrap();
    let story = sim.story(first).unwrap();
    let k = kinds(&story);
    assert_eq!(
        k[0], "appended",
        "a stream record's story starts in the log"
    );
    let reads = k.iter().filter(|k| **k == "polled").count();
    assert!(reads >= 2, "read by both groups: {k:?}");
    assert!(story.record.is_some() && story.readable);
    assert_eq!(story.committed_by, ["analytics", "backup"]);
}

#[test]
fn stories_beyond_the_limit_are_forgotten_oldest_first_and_counted() {
    let mut sim = Simulation::new(&ready::load("e").unwrap()).unwrap();
    sim.keep_stories(50);
    sim.run_until(Instant::from_millis(8_000));
    let kept: Vec<_> = sim.story_ids().collect();
    assert_eq!(kept.len(), 50);
    assert!(sim.stories_forgotten() > 100);
    assert!(kept.windows(2).all(|w| w[0] < w[1]), "the newest are kept");
    let published = sim.totals().published;
    assert_eq!(sim.stories_forgotten() + 50, published);
}

#[test]
fn every_pattern_names_the_producer_of_a_message_and_a_publish_by_hand_names_none() {
    let mut sim = Simulation::new(&ready::load("comparison").unwrap()).unwrap();
    sim.keep_stories(10_000);
    sim.run_until(Instant::from_millis(3_000));
    let mut producers: Vec<String> = sim
        .story_ids()
        .filter_map(|m| sim.story(m)?.producer)
        .collect();
    producers.sort();
    producers.dedup();
    // A queue, a fanout and a topic exchange, and two streams: each names its producer.
    assert_eq!(producers, ["a.api", "b.api", "c.api", "d.api", "e.api"]);
    let record = sim
        .story_ids()
        .filter_map(|m| sim.story(m))
        .find(|s| s.record.is_some())
        .unwrap();
    assert!(record.producer.is_some() && record.routing_key.is_none());

    let before: Vec<_> = sim.story_ids().collect();
    let by_hand = brokerlab::sim::Action::Publish {
        target: brokerlab::sim::TargetSpec::Stream("d.log".into()),
        key: None,
        payload: "by hand".into(),
        count: 1,
        headers: Vec::new(),
    };
    sim.apply(&by_hand).unwrap();
    let new = sim.story_ids().find(|m| !before.contains(m)).unwrap();
    let story = sim.story(new).unwrap();
    assert_eq!((story.producer, story.routing_key), (None, None));
    assert!(story.record.is_some(), "appended to the stream");
}

#[test]
fn a_group_members_read_follows_the_assignment_that_gave_it_the_partition() {
    let mut sim = Simulation::new(&ready::load("e").unwrap()).unwrap();
    sim.keep_stories(10_000);
    sim.run_until(Instant::from_millis(8_000));
    for m in sim.story_ids().take(50) {
        let story = sim.story(m).unwrap();
        let events: Vec<&Event> = story.events.iter().filter_map(|e| e.broker()).collect();
        for (i, e) in events.iter().enumerate() {
            let Event::Polled {
                consumer,
                partition,
                ..
            } = e
            else {
                continue;
            };
            // The latest assignment of the reader's group before the read gives it that
            // partition.
            let owner = events[..i].iter().rev().find_map(|e| match e {
                Event::Rebalanced { assignment, .. } => assignment
                    .iter()
                    .find(|a| a.member == *consumer)
                    .map(|a| a.partitions.contains(partition)),
                _ => None,
            });
            assert_eq!(owner, Some(true), "{m}: {events:?}");
        }
    }
}
