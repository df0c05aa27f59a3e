//! "Why?" for one message: its story as the engine told it (every event about it, in order,
//! as event-log rows), where a stream record stands now, for a broadcast who did not get a
//! copy and why, and for a record read by consumer groups which members did not read it and
//! why ([`groups`]). Also which message a cell on the drawing stands for, so a story opens
//! from it: a queue's cell is one of its messages, a stream's log cell one record.

mod groups;

use brokerlab::sim::{self, SimConsumerId, Simulation};
use brokerlab::{MessageId, Offset, StreamPartition};

use super::log;
use super::{AppState, LogRow};

/// Messages whose story the playground keeps (the oldest is forgotten first).
pub const STORIES_KEPT: usize = 2_000;

/// One message's story, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryView {
    /// The message, as the log names it (`m42`).
    pub message: String,
    /// Its events, as event-log rows, in order.
    pub rows: Vec<LogRow>,
    /// Events left out past the per-story limit.
    pub left_out: u64,
    /// For a stream record: where it is and how it stands now.
    pub record: Option<String>,
    /// Who published it and how: producer, exchange and routing key.
    pub origin: Option<String>,
    /// Subscribers, and queues bound to its exchange, that got no copy, and why.
    pub missed: Vec<(String, String)>,
    /// For a stream record: members of the groups reading its stream that did not read it
    /// (or read it only later), and why.
    pub not_read: Vec<(String, String)>,
}

/// The story of `message` now, or `None` when it is not kept (forgotten, or never seen).
pub(super) fn story_view(sim: &Simulation, message: MessageId) -> Option<StoryView> {
    let story = sim.story(message)?;
    let mut rows: Vec<LogRow> = story
        .events
        .iter()
        .flat_map(|e| log::rows(sim, e))
        .filter(|r| r.message.is_none_or(|m| m == message))
        .collect();
    rows.dedup();
    let b = sim.broker();
    let record = story.record.map(|(p, o)| {
        let label = format!(
            "{}/{}",
            b.stream_name(p.stream).unwrap_or("?"),
            p.partition.0
        );
        let stands = if story.readable {
            "still in the log"
        } else {
            "no longer in the log (removed by retention or compaction)"
        };
        let groups = if story.committed_by.is_empty() {
            "no group has committed past it".to_owned()
        } else {
            format!("committed past by {}", story.committed_by.join(", "))
        };
        format!("{label} offset {}: {stands}; {groups}", o.0)
    });
    let missed = missed(sim, &rows, story.routing_key.as_deref());
    let who = story.producer.clone().unwrap_or_else(|| {
        // No producer: a publish by hand, unless the scenario's script publishes then.
        let at = rows.first().map_or(0, |r| r.at_ms);
        let scripted = sim
            .scenario()
            .script
            .iter()
            .any(|s| s.at_ms == at && matches!(s.action, sim::Action::Publish { .. }));
        if scripted {
            "the scenario's script".to_owned()
        } else {
            "hand".to_owned()
        }
    });
    let origin = Some(match &story.routing_key {
        Some(k) => format!("published by {who} with routing key \u{201c}{k}\u{201d}"),
        None => format!("published by {who}"),
    });
    let not_read = groups::not_read(sim, &story);
    Some(StoryView {
        message: message.to_string(),
        rows,
        left_out: story.left_out,
        record,
        origin,
        missed,
        not_read,
    })
}

impl AppState {
    /// How many messages' stories were forgotten to keep those of the [`STORIES_KEPT`] most
    /// recent.
    #[must_use]
    pub fn stories_forgotten(&self) -> u64 {
        self.engine.borrow().sim.stories_forgotten()
    }

    /// The message cell `index` of queue `queue`'s bar stands for: its ready messages, oldest
    /// first.
    #[must_use]
    pub fn queue_message(&self, queue: &str, index: usize) -> Option<MessageId> {
        let e = self.engine.borrow();
        let b = e.sim.broker();
        let id = b.queue_id(queue)?;
        b.ready_messages(id).get(index).map(|m| m.message)
    }

    /// The message of the record at `offset` of partition `partition` of `stream`, while the
    /// log holds it.
    #[must_use]
    pub fn record_message(&self, stream: &str, partition: u32, offset: u64) -> Option<MessageId> {
        let e = self.engine.borrow();
        let b = e.sim.broker();
        let p = StreamPartition::new(b.stream_id(stream)?, partition);
        b.stream_record(p, Offset(offset)).map(|r| r.message)
    }
}

/// Why a topic `pattern` does not match `key`, word by word (`None`: it matches, or the
/// exchange is not a topic exchange).
fn pattern_fails(topic: bool, pattern: &str, key: Option<&str>) -> Option<String> {
    use brokerlab::TopicVerdict;
    let key = key.filter(|_| topic)?;
    let quote = |w: &[String]| {
        w.iter()
            .map(|w| format!("\u{201c}{w}\u{201d}"))
            .collect::<Vec<_>>()
            .join(" or ")
    };
    match brokerlab::TopicPattern::new(pattern).explain(key) {
        TopicVerdict::Match => None,
        TopicVerdict::WordMismatch {
            position,
            word,
            expected,
        } => Some(format!(
            "its pattern \u{201c}{pattern}\u{201d} does not match \u{201c}{key}\u{201d}: word {position} is \u{201c}{word}\u{201d} where the pattern wants {}",
            quote(&expected)
        )),
        TopicVerdict::KeyTooShort { expected } => Some(format!(
            "its pattern \u{201c}{pattern}\u{201d} does not match \u{201c}{key}\u{201d}: the key ends where the pattern wants {} next",
            quote(&expected)
        )),
        _ => None,
    }
}

/// Subscribers of the exchange a message was published to, and queues bound to it, that got
/// no copy of it, and why.
fn missed(sim: &Simulation, rows: &[LogRow], key: Option<&str>) -> Vec<(String, String)> {
    let Some(published) = rows.iter().find(|r| r.kind == "published") else {
        return Vec::new();
    };
    let Some(exchange) = published.entities.first() else {
        return Vec::new();
    };
    let got = |name: &str| {
        rows.iter().any(|r| {
            matches!(r.kind, "buffered" | "received") && r.entities.iter().any(|e| e == name)
        })
    };
    let lagged = |name: &str| {
        rows.iter()
            .any(|r| r.kind == "lagged" && r.entities.iter().any(|e| e == name))
    };
    let scenario = sim.scenario();
    let topic = scenario
        .topology
        .exchanges
        .iter()
        .any(|x| x.name == *exchange && x.kind == sim::ExchangeKindSpec::Topic);
    let enqueued = |queue: &str| {
        rows.iter()
            .any(|r| r.kind == "enqueued" && r.entities.iter().any(|e| e == queue))
    };
    let mut out: Vec<(String, String)> = scenario
        .topology
        .bindings
        .iter()
        .filter(|b| b.exchange == *exchange && !enqueued(&b.queue))
        .filter_map(|b| Some((b.queue.clone(), pattern_fails(topic, &b.key, key)?)))
        .collect();
    let joined_at = |name: &str| {
        scenario
            .consumers
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.start_ms)
            .or_else(|| {
                scenario.script.iter().find_map(|s| match &s.action {
                    sim::Action::AddConsumer(c) if c.name == name => Some(s.at_ms),
                    _ => None,
                })
            })
    };
    out.extend((0..sim.consumer_count()).filter_map(|i| {
        let spec = sim.consumer_spec(SimConsumerId(i as u32))?;
        let sim::Attach::Subscription {
            exchange: x,
            key: pattern,
            ..
        } = &spec.attach
        else {
            return None;
        };
        if x != exchange || got(&spec.name) {
            return None;
        }
        let why = if let Some(why) = pattern_fails(topic, pattern, key) {
            why
        } else if lagged(&spec.name) {
            "its inbox was full: it was told it lagged and the copy was dropped".to_owned()
        } else if let Some(at) = joined_at(&spec.name).filter(|&at| at > published.at_ms) {
            format!(
                "not yet subscribed: it subscribed at {at} ms, after this message ({} ms); \
                     pub/sub delivers only what is published while a subscriber listens",
                published.at_ms
            )
        } else if let Some(why) = away(scenario, spec, published.at_ms) {
            why
        } else {
            "it was not listening then (crashed, removed, or its binding did not match)".to_owned()
        };
        Some((spec.name.clone(), why))
    }));
    out
}

/// Why subscriber `spec` was away when a message was published at `at`, from the scenario's
/// plan: a planned crash it had not come back from, or a scripted removal (it left: its
/// subscription went with it).
fn away(scenario: &sim::Scenario, spec: &sim::ConsumerSpec, at: u64) -> Option<String> {
    let left = scenario.script.iter().find_map(|s| match &s.action {
        sim::Action::RemoveConsumer { consumer } if *consumer == spec.name && s.at_ms <= at => {
            Some(s.at_ms)
        }
        _ => None,
    });
    if let Some(when) = left {
        return Some(format!(
            "it left at {when} ms, before this message ({at} ms): its subscription went with it"
        ));
    }
    spec.crashes
        .iter()
        .find(|c| c.at_ms <= at && c.restart_at_ms.is_none_or(|r| r > at))
        .map(|c| match c.restart_at_ms {
            Some(r) => format!(
                "it was down: it crashed at {} ms and came back at {r} ms; a subscriber misses \
                 what is published while it is away",
                c.at_ms
            ),
            None => format!(
                "it was down: it crashed at {} ms and did not come back; a subscriber misses \
                 what is published while it is away",
                c.at_ms
            ),
        })
}
