//! Brokerlab: a deterministic, sans-IO message broker.
//!
//! The [`Broker`] performs no I/O and never reads a clock: every call that depends on time
//! takes `now` (an [`Instant`] in milliseconds), everything that happens comes out as an
//! [`Event`] drained with [`Broker::poll_event`], and [`Broker::poll_timeout`] says when to call
//! [`Broker::handle_timeout`] next. The same calls at the same times give the same events,
//! natively and in WebAssembly. Queue messages live in logs of a pluggable [`Storage`]
//! ([`MemoryStorage`] by default, and it works without `std`). Every collection is bounded by
//! [`Limits`]; every failure is a small typed error convertible into [`Error`].
//!
//! This page is a tutorial of the six patterns the crate implements.
//!
//! # A. Queue: competing consumers
//!
//! Each message goes to exactly one consumer; consumers with free prefetch capacity take turns;
//! a message is gone once acked; an unacked message comes back when its consumer dies.
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, Event, Instant, MemoryStorage, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::new(MemoryStorage::new());
//! let now = Instant::from_millis(0);
//! broker.declare_queue(now, "work", QueueConfig::default())?;
//! let fair = ConsumerConfig::default().with_prefetch(1);
//! let alice = broker.consume(now, "work", "alice", fair)?;
//! let bob = broker.consume(now, "work", "bob", fair)?;
//!
//! for job in ["resize", "encode", "upload"] {
//!     broker.publish(now, Publish::to_queue("work", job))?;
//! }
//!
//! // Drain the events: alice got "resize", bob got "encode", "upload" waits for a free slot.
//! let mut deliveries = Vec::new();
//! while let Some(event) = broker.poll_event() {
//!     if let Event::Delivered { consumer, delivery, payload, .. } = event {
//!         deliveries.push((broker.consumer_name(consumer).unwrap().to_owned(), delivery, payload));
//!     }
//! }
//! assert_eq!(deliveries.len(), 2);
//! assert_eq!((deliveries[0].0.as_str(), &*deliveries[0].2), ("alice", &b"resize"[..]));
//! assert_eq!((deliveries[1].0.as_str(), &*deliveries[1].2), ("bob", &b"encode"[..]));
//!
//! // Bob crashes holding "encode": it goes back to the queue. Alice acks and gets "encode"
//! // redelivered (oldest first), flagged as such.
//! broker.crash_consumer(now, bob)?;
//! broker.ack(now, alice, deliveries[0].1)?;
//! let redelivered: Vec<Event> = std::iter::from_fn(|| broker.poll_event()).collect();
//! assert!(redelivered.iter().any(|e| matches!(e,
//!     Event::Delivered { consumer, redelivered: true, delivery_count: 2, .. } if *consumer == alice)));
//!
//! // Acking twice is an error, not a silent no-op.
//! assert!(broker.ack(now, alice, deliveries[0].1).is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Queues also have `nack`/`reject` with or without requeue, a visibility timeout,
//! `max_deliveries` with a dead-letter queue, `max_length` with `drop-head` or
//! `reject-publish`, and queue and per-message TTL. Time only moves when you say so:
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, DeadLetterReason, Duration, Event, Instant, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t0 = Instant::from_millis(0);
//! broker.declare_queue(t0, "jobs.dlq", QueueConfig::default())?;
//! let cfg = QueueConfig::default()
//!     .with_visibility_timeout(Duration::from_secs(30))
//!     .with_max_deliveries(2)
//!     .with_dead_letter_queue("jobs.dlq");
//! broker.declare_queue(t0, "jobs", cfg)?;
//! broker.consume(t0, "jobs", "slow-worker", ConsumerConfig::default())?;
//! broker.publish(t0, Publish::to_queue("jobs", "never acked"))?;
//!
//! // The worker never acks. Each time the visibility timeout passes the message is requeued
//! // and redelivered; after two deliveries it is dead-lettered with the reason.
//! let mut reasons = Vec::new();
//! while let Some(deadline) = broker.poll_timeout() {
//!     broker.handle_timeout(deadline);
//!     while let Some(e) = broker.poll_event() {
//!         if let Event::DeadLettered { reason, .. } = e {
//!             reasons.push(reason);
//!         }
//!     }
//! }
//! assert_eq!(reasons, [DeadLetterReason::DeliveryLimit]);
//! let dlq = broker.queue_id("jobs.dlq").unwrap();
//! assert_eq!(broker.queue_stats(dlq).unwrap().ready, 1);
//! assert_eq!(broker.now(), Instant::from_millis(60_000));
//! # Ok(())
//! # }
//! ```
//!
//! # B. Pub/Sub: broadcast to whoever listens
//!
//! Every subscriber connected at publish time gets a copy; the publisher knows no subscriber;
//! an offline subscriber misses what was sent meanwhile; a slow one with a full inbox is told
//! how many it lost.
//!
//! ```
//! use brokerlab::{Broker, ExchangeKind, Instant, Publish, Received, SubscriptionConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let now = Instant::from_millis(0);
//! broker.declare_exchange(now, "prices", ExchangeKind::Topic)?;
//! broker.publish(now, Publish::new("prices", "stock.acme", "100"))?; // nobody listens yet
//!
//! let small = SubscriptionConfig::default().with_capacity(2);
//! let all = broker.subscribe(now, "prices", "stock.#", "dashboard", small)?;
//! let acme = broker.subscribe(now, "prices", "*.acme", "acme-bot", small)?;
//! for (key, price) in [("stock.acme", "101"), ("stock.init", "7"), ("stock.acme", "102")] {
//!     broker.publish(now, Publish::new("prices", key, price))?;
//! }
//!
//! // The dashboard's inbox holds two: the oldest was overwritten and it is told so.
//! assert_eq!(broker.receive(now, all)?, Some(Received::Lagged(1)));
//! let Some(Received::Message { payload, .. }) = broker.receive(now, all)? else { panic!() };
//! assert_eq!(&*payload, b"7");
//! // The acme bot matched two of the three and missed nothing.
//! let Some(Received::Message { payload, .. }) = broker.receive(now, acme)? else { panic!() };
//! assert_eq!(&*payload, b"101");
//! # Ok(())
//! # }
//! ```
//!
//! # C. Fan-out: one publish, a copy in every bound durable queue
//!
//! Each queue has its own consumers and state: a crashed consumer's queue fills up while the
//! others keep draining; nothing is lost, and the backlog drains on restart.
//!
//! ```
//! use brokerlab::{Broker, ConsumerConfig, Event, ExchangeKind, Instant, Publish, QueueConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let now = Instant::from_millis(0);
//! broker.declare_exchange(now, "orders", ExchangeKind::Fanout)?;
//! let mut workers = Vec::new();
//! for q in ["billing", "shipping"] {
//!     broker.declare_queue(now, q, QueueConfig::default())?;
//!     broker.bind(now, "orders", q, "")?;
//!     workers.push(broker.consume(now, q, &format!("{q}-worker"), ConsumerConfig::default())?);
//! }
//! broker.crash_consumer(now, workers[1])?; // shipping is down
//!
//! // Ack everything that gets delivered, as a running worker would.
//! fn pump(broker: &mut brokerlab::Broker, now: Instant) -> usize {
//!     let mut acked = 0;
//!     while let Some(e) = broker.poll_event() {
//!         if let Event::Delivered { consumer, delivery, .. } = e {
//!             broker.ack(now, consumer, delivery).unwrap();
//!             acked += 1;
//!         }
//!     }
//!     acked
//! }
//!
//! for i in 0..10 {
//!     broker.publish(now, Publish::new("orders", "", format!("order {i}")))?;
//! }
//! assert_eq!(pump(&mut broker, now), 10); // billing drained all ten
//! let shipping = broker.queue_id("shipping").unwrap();
//! assert_eq!(broker.queue_stats(shipping).unwrap().ready, 10); // shipping kept its backlog
//!
//! broker.restart_consumer(now, workers[1])?;
//! assert_eq!(pump(&mut broker, now), 10); // and drains it on restart
//! # Ok(())
//! # }
//! ```
//!
//! # D. Streaming: a log with offsets
//!
//! Records are appended to partition logs and kept; each consumer holds its own position; one
//! reads live while another replays from offset 0 and gets the identical records; retention,
//! not reading, removes records.
//!
//! ```
//! use brokerlab::{
//!     Broker, Instant, Offset, OffsetReset, PollError, Retention, SeekTo, StreamConfig,
//!     StreamConsumerConfig,
//! };
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t = Instant::from_millis;
//! let keep_4 = Retention::default().with_max_records(4);
//! broker.declare_stream(t(0), "clicks", StreamConfig::new(1).with_retention(keep_4))?;
//! let live = broker.stream_consumer(t(0), "clicks", "live", StreamConsumerConfig::default())?;
//! for i in 0..3 {
//!     broker.produce(t(10 * i), "clicks", None, format!("click {i}"))?;
//! }
//! assert_eq!(broker.poll(t(30), live, 10)?.len(), 3);
//!
//! // A consumer created later with `Earliest` replays from offset 0: the same records.
//! let from_start = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::Earliest);
//! let replay = broker.stream_consumer(t(30), "clicks", "replay", from_start)?;
//! let records = broker.poll(t(30), replay, 10)?;
//! assert_eq!(records[1].offset, Offset(1));
//! assert_eq!(&*records[1].payload, b"click 1");
//! assert_eq!(records[1].timestamp, t(10));
//!
//! // Seek by time: the earliest offset whose timestamp is at or after 15 ms.
//! let p0 = broker.assigned_partitions(live)[0];
//! assert_eq!(broker.seek(t(30), live, p0, SeekTo::Timestamp(t(15)))?, Offset(2));
//!
//! // Retention keeps 4 records: after 3 more, offsets 0..2 are gone. A consumer still at
//! // offset 0 with `auto_offset_reset = none` gets a typed error instead of a silent jump.
//! let strict = StreamConsumerConfig::default().with_auto_offset_reset(OffsetReset::None);
//! let picky = broker.stream_consumer(t(30), "clicks", "picky", strict)?;
//! broker.seek(t(30), picky, p0, SeekTo::Beginning)?;
//! for i in 3..6 {
//!     broker.produce(t(40), "clicks", None, format!("click {i}"))?;
//! }
//! assert_eq!(broker.partition_stats(p0).unwrap().bounds.start, Offset(2));
//! assert!(matches!(broker.poll(t(40), picky, 10), Err(PollError::OffsetOutOfRange { .. })));
//! # Ok(())
//! # }
//! ```
//!
//! Keyed records go to `(murmur2(key) & 0x7fffffff) % N` exactly as Kafka's Java producer
//! ([`partitioner`]); keyless ones round-robin (or sticky, [`StreamConfig::with_keyless`]).
//! Retention by bytes and age works the same way; age is acted on in
//! [`Broker::handle_timeout`], at the instant [`Broker::poll_timeout`] reports. Records carry
//! application headers ([`Broker::produce_with_headers`]). A stream declared with
//! [`CleanupPolicy::Compact`] keeps only the latest record per key (a changelog): older
//! records become gaps that readers step over, offsets never change, and a keyed record with
//! an empty payload (a tombstone) deletes its key.
//!
//! # E. Consumer groups (Kafka style)
//!
//! Different groups each get every record; inside a group each partition is owned by exactly
//! one member; joining, leaving or going silent rebalances into a new generation; commits are
//! per partition and a replacement resumes from them, so uncommitted records come again.
//!
//! A rebalance of a classic group (Kafka's default protocol) is not instant: the members
//! learn of it from their heartbeats ([`HeartbeatReply::RejoinNeeded`]) and rejoin with their
//! next poll; the new generation starts once all have (or the rebalance timeout removed the
//! missing ones). With an eager assignor (range, round-robin, sticky) a member gives up all
//! its partitions when it rejoins, so the group stops until the last one is back.
//!
//! ```
//! use brokerlab::{Broker, Duration, Event, GroupConfig, HeartbeatReply, Instant, OffsetReset};
//! use brokerlab::StreamConfig;
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t = Instant::from_millis;
//! broker.declare_stream(t(0), "orders", StreamConfig::new(2))?;
//! let cfg = GroupConfig::default()
//!     .with_session_timeout(Duration::from_secs(10))
//!     .with_auto_offset_reset(OffsetReset::Earliest);
//! let a = broker.join_group(t(0), "billing", "a", &["orders"], cfg)?;
//! let b = broker.join_group(t(0), "billing", "b", &["orders"], cfg)?;
//! // b's join started a rebalance; a hears of it and rejoins: generation 2 begins.
//! assert_eq!(broker.heartbeat(t(0), "billing", "a")?, HeartbeatReply::RejoinNeeded);
//! broker.poll(t(0), a, 0)?;
//! for i in 0..4 {
//!     broker.produce(t(0), "orders", None, format!("order {i}"))?; // round-robin: 2 each
//! }
//!
//! // Range assignor (Kafka's default): a owns partition 0, b owns partition 1.
//! let generation = broker.group_generation(broker.group_id("billing").unwrap()).unwrap();
//! let a_read = broker.poll(t(1), a, 10)?;
//! assert_eq!(a_read.len(), 2);
//! assert!(a_read.iter().all(|r| r.partition.partition.0 == 0));
//! broker.commit(t(1), "billing", "a", generation, &[(a_read[0].partition, a_read[1].offset)])?;
//! assert_eq!(broker.poll(t(1), b, 10)?.len(), 2);
//! broker.commit_positions(t(1), "billing", "b")?;
//!
//! // a goes silent: after its session timeout it is evicted; b rejoins and takes partition 0
//! // from a's committed offset (1), so the record a read but did not commit comes again.
//! broker.heartbeat(t(9_000), "billing", "b")?;
//! assert_eq!(broker.poll_timeout(), Some(t(10_001))); // a's last poll was at 1 ms
//! broker.handle_timeout(t(10_001));
//! assert_eq!(broker.heartbeat(t(10_002), "billing", "b")?, HeartbeatReply::RejoinNeeded);
//! let again = broker.poll(t(10_002), b, 10)?;
//! assert_eq!(again.len(), 1);
//! assert!(again[0].redelivered);
//! let events: Vec<String> = std::iter::from_fn(|| broker.poll_event())
//!     .filter(|e| matches!(e, Event::MemberLeft { .. } | Event::Polled { .. }))
//!     .map(|e| e.to_string())
//!     .collect();
//! assert_eq!(events, [
//!     "polled sc1 st1/0@0 n=2",
//!     "polled sc2 st1/1@0 n=2",
//!     "left g1 sc1 (session_timeout)",
//!     "polled sc2 st1/0@1 n=1 redelivered=1",
//! ]);
//!
//! // Another group is independent: it gets every record.
//! let audit = broker.join_group(t(10_002), "audit", "x", &["orders"], cfg)?;
//! assert_eq!(broker.poll(t(10_002), audit, 10)?.len(), 4);
//! # Ok(())
//! # }
//! ```
//!
//! The assignors (range, round-robin, sticky, cooperative-sticky) are also public as pure
//! functions in [`assign`], with Kafka's results; with cooperative-sticky a rebalance first
//! revokes only the moved partitions (`PartitionsRevoked`, one generation) and assigns them in
//! the next.
//!
//! **Static members.** A member that joins with a group instance id
//! ([`Broker::join_group_static`], Kafka's `group.instance.id`) keeps its place across
//! restarts: if it comes back before its session times out, it takes its partitions back in
//! the same generation and nobody else stops (`StaticMemberRejoined`, no `Rebalanced`). Only
//! a member that stays away longer than its session timeout is evicted and its partitions
//! move.
//!
//! ```
//! use brokerlab::{Broker, Duration, Event, GroupConfig, Instant, StreamConfig};
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t = Instant::from_millis;
//! broker.declare_stream(t(0), "orders", StreamConfig::new(2))?;
//! let cfg = GroupConfig::default().with_session_timeout(Duration::from_secs(10));
//! broker.join_group_static(t(0), "billing", "a", "host-a", &["orders"], cfg)?;
//! broker.join_group_static(t(0), "billing", "b", "host-b", &["orders"], cfg)?;
//! broker.heartbeat(t(0), "billing", "a")?; // a hears of b's join
//! let a = broker.group_member("billing", "a").unwrap();
//! broker.poll(t(0), a, 0)?; // and rejoins: generation 2
//! let group = broker.group_id("billing").unwrap();
//! let generation = broker.group_generation(group);
//! // b's process restarts 2 s later: same instance id, same partitions, same generation.
//! let b = broker.join_group_static(t(2_000), "billing", "b", "host-b", &["orders"], cfg)?;
//! assert_eq!(broker.group_generation(group), generation);
//! assert_eq!(broker.assigned_partitions(b).len(), 1);
//! assert!(std::iter::from_fn(|| broker.poll_event())
//!     .any(|e| matches!(e, Event::StaticMemberRejoined { .. })));
//! # Ok(())
//! # }
//! ```
//!
//! **Consumer protocol.** A group whose first member joins with
//! [`GroupProtocol::Consumer`] (Kafka's `group.protocol=consumer`, KIP-848) has no
//! group-wide barrier. A join bumps the group epoch, and the broker computes the new target
//! at once with its server-side assignor ([`assign::ServerAssignor`], uniform by default).
//! Each member then moves to its target on its own heartbeats: it first gives up what it
//! must lose, and it gets a partition only once the previous owner has given it up. Members
//! whose partitions do not move never stop.
//!
//! ```
//! use brokerlab::{Broker, GroupConfig, GroupProtocol, GroupState, HeartbeatReply, Instant};
//! use brokerlab::StreamConfig;
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t = Instant::from_millis;
//! broker.declare_stream(t(0), "orders", StreamConfig::new(2))?;
//! let cfg = GroupConfig::default().with_protocol(GroupProtocol::Consumer);
//! let a = broker.join_group(t(0), "billing", "a", &["orders"], cfg)?;
//! assert_eq!(broker.assigned_partitions(a).len(), 2); // alone: both partitions, epoch 1
//! let b = broker.join_group(t(100), "billing", "b", &["orders"], cfg)?;
//! let group = broker.group_id("billing").unwrap();
//! // Epoch 2's target gives b a partition that a still owns: b waits, a reads on.
//! assert_eq!(broker.group_state(group), Some(GroupState::Reconciling));
//! assert!(broker.assigned_partitions(b).is_empty());
//! assert_eq!(broker.assigned_partitions(a).len(), 2);
//! // a's heartbeat revokes the partition it must give up...
//! assert_eq!(broker.heartbeat(t(200), "billing", "a")?, HeartbeatReply::AssignmentChanged);
//! assert_eq!(broker.assigned_partitions(a).len(), 1);
//! assert_eq!(broker.member_epoch(a), Some(2));
//! // ...and b's next heartbeat gets it.
//! assert!(broker.assigned_partitions(b).is_empty());
//! assert_eq!(broker.heartbeat(t(300), "billing", "b")?, HeartbeatReply::AssignmentChanged);
//! assert_eq!(broker.assigned_partitions(b).len(), 1);
//! assert_eq!(broker.group_state(group), Some(GroupState::Stable));
//! # Ok(())
//! # }
//! ```
//!
//! # F. Share groups (Kafka's KIP-932, "queues for Kafka")
//!
//! A share group reads streams like a consumer group, but shares the *records*, not the
//! partitions: every member may fetch from every partition (Kafka's `SimpleAssignor`), so
//! more members than partitions all get work. [`Broker::share_fetch`] acquires records under
//! a lock (`record_lock_duration`, 30 s); the holder settles each with
//! [`Broker::share_acknowledge`]: `Accept`, `Release` (another member gets it, its delivery
//! count raised) or `Reject` (archived). A lock that expires ([`Broker::handle_timeout`]) or
//! a member that leaves or crashes puts its records back; past `delivery_count_limit` (5) a
//! record is archived. Per partition the group keeps a [`share::SharePartition`] whose start
//! offset moves past settled records; [`Broker::flush`] saves it and [`Broker::recover`]
//! brings it back, acquisitions returned to available.
//!
//! ```
//! use brokerlab::{AcknowledgeType, Broker, Instant, ShareGroupConfig, ShareOffsetReset};
//! use brokerlab::StreamConfig;
//!
//! # fn main() -> Result<(), brokerlab::Error> {
//! let mut broker = Broker::default();
//! let t = Instant::from_millis;
//! broker.declare_stream(t(0), "jobs", StreamConfig::new(1))?;
//! let config = ShareGroupConfig {
//!     auto_offset_reset: ShareOffsetReset::Earliest,
//!     ..ShareGroupConfig::default()
//! };
//! broker.create_share_group(t(0), "workers", &["jobs"], config)?;
//! let a = broker.join_share_group(t(0), "workers", "a")?;
//! let b = broker.join_share_group(t(0), "workers", "b")?;
//! for job in ["j0", "j1", "j2"] {
//!     broker.produce(t(1), "jobs", None, job)?;
//! }
//! // One partition, two members: both get work, never the same record.
//! let for_a = broker.share_fetch(t(2), a, 2)?;
//! let for_b = broker.share_fetch(t(2), b, 2)?;
//! assert_eq!((for_a.len(), for_b.len()), (2, 1));
//! let r = &for_a[1].record;
//! // a gives one back: b gets it, as its second delivery.
//! broker.share_acknowledge(t(3), a, r.partition, r.offset, AcknowledgeType::Release)?;
//! let again = broker.share_fetch(t(4), b, 10)?;
//! assert_eq!((again[0].record.offset, again[0].delivery_count), (r.offset, 2));
//! # Ok(())
//! # }
//! ```
//!
//! # Simulation: scenarios in logical time
//!
//! A [`sim::Scenario`] (JSON, feature `serde`, on by default) holds a topology, producers,
//! consumers, a script of timed actions and a seed; a [`sim::Simulation`] drives the broker
//! through it in logical milliseconds and reports events, per-entity views, time series and a
//! trace hash that is the same natively and in WebAssembly. The six patterns and
//! side-by-side comparisons (the first five, and all six) are ready-made in [`sim::ready`]
//! (the files under `core/scenarios/`).
//!
//! ```
//! use brokerlab::Duration;
//! use brokerlab::sim::{Action, Simulation, ready};
//!
//! // E: analytics scales from 1 to 4 members on a 3-partition stream, then loses one.
//! let scenario = ready::load("e").unwrap();
//! let mut sim = Simulation::new(&scenario).unwrap();
//! sim.step(Duration::from_millis(2_500)); // analytics-2 joined at 2 s
//! let analytics = &sim.group_views()[0];
//! assert_eq!((analytics.name.as_str(), analytics.generation), ("analytics", 2));
//! assert_eq!(analytics.assignment.len(), 2);
//!
//! // Pause anywhere, act like a user would, go on.
//! let kill = Action::Crash { consumer: "analytics-1".into() };
//! sim.apply(&kill).unwrap();
//! for _ in 0..10 {
//!     sim.step_event(); // the smallest steps: one instant where something is due
//! }
//! sim.run_to_end();
//! assert!(sim.is_finished());
//!
//! // Same scenario, same actions at the same times, same trace, however time was stepped.
//! let mut again = Simulation::new(&scenario).unwrap();
//! again.run_until(brokerlab::Instant::from_millis(2_500));
//! again.apply(&kill).unwrap();
//! again.run_to_end();
//! assert_eq!(again.trace_hash(), sim.trace_hash());
//! ```
//!
//! **Time travel and "why".** A [`sim::Timeline`] seeks a run to any moment, backwards too,
//! from capped checkpoints (the state it shows is the one a fresh run to that moment gives),
//! and forks it: a change made in the past starts a second future beside the first, and the
//! fork's scenario carries the change as a scripted action; [`sim::Timeline::divergence`]
//! finds the first instant two futures differ. With feature `stories` (on by default),
//! [`sim::Simulation::keep_stories`] keeps, for the most recent messages, every event the
//! engine reported about each, so [`sim::Simulation::story`] tells why a message went where
//! it went, and [`sim::compare::differences`] lists the messages two futures treated
//! differently (processed, redelivered, dead-lettered, lost); [`TopicPattern::explain`]
//! says which word of a topic pattern fails.
//!
//! ```
//! use brokerlab::Instant;
//! use brokerlab::sim::{Timeline, TimelineConfig, ready};
//!
//! let mut t = Timeline::new(&ready::load("comparison").unwrap(), TimelineConfig::default())
//!     .unwrap();
//! t.seek(Instant::from_millis(6_000));
//! t.seek(Instant::from_millis(2_000)); // back, from the checkpoint at 2 s
//! assert_eq!(t.sim().now(), Instant::from_millis(2_000));
//! ```
//!
//! # Where things are
//!
//! - [`time`](Instant): `Instant` and `Duration`; [`ids`](QueueId): small `Copy` ids.
//! - [`Publish`], [`Payload`]: what a publisher sends; [`Event`]: what happened.
//! - [`EventFilter`]: record only some kinds of events (all by default); a filter without
//!   `Delivered` hands deliveries out as [`Delivery`] values through
//!   [`Broker::poll_deliveries`], which with [`Broker::publish_batch`] and
//!   [`Broker::ack_multiple`] is the fastest way through a queue.
//! - [`QueueConfig`], [`ConsumerConfig`], [`SubscriptionConfig`], [`Limits`]: configuration.
//! - [`storage`]: the [`Storage`] trait and [`MemoryStorage`]; with `std`, the durable
//!   `FileStorage` (segment files of CRC-32C batches, recovered on open). [`Broker::flush`]
//!   saves what a restart needs and [`Broker::recover`] builds the broker again from it:
//!   queues keep what was not acked (delivered, unacked messages come back as redeliveries),
//!   groups their commits, streams their retention and compaction's gaps. [`topic`]: the
//!   topic matcher.
//! - `shared` (with `std`): `SharedBroker`, a `Send + Sync` handle for threads, with blocking
//!   receives, a real clock, deadlines acted on while threads wait, and a `Flusher` thread
//!   that acts on deadlines and flushes through quiet spells.
//! - Streams and groups: [`StreamConfig`], [`Retention`], [`CleanupPolicy`],
//!   [`StreamConsumerConfig`], [`GroupConfig`], [`StreamRecord`]; [`partitioner`] and
//!   [`assign`]: Kafka's partitioner and assignors as pure functions.
//! - Share groups: [`ShareGroupConfig`], [`AcquiredRecord`], [`AcknowledgeType`]; [`share`]:
//!   the share-partition state machine as pure logic.
//! - [`sim`]: scenarios, the simulation, ready-made scenarios, the trace hash; the swarm
//!   ([`sim::swarm`]): random scenarios and fault schedules checked against the engine's
//!   invariants, with a shrinker.
//! - Errors: one enum per operation ([`PublishError`], [`AckError`], [`PollError`],
//!   [`CommitError`], …) and [`Error`].

#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub use group::assign;
mod broker;
mod common_error;
mod error;
mod event;
mod exchange;
mod group;
mod ids;
mod limits;
mod message;
mod outbox;
pub mod partitioner;
#[cfg(feature = "planted-bug")]
#[doc(hidden)]
pub mod planted;
mod pubsub;
mod queue;
mod registry;
pub mod share;
#[cfg(feature = "std")]
pub mod shared;
pub mod sim;
pub(crate) mod sort;
pub mod storage;
mod stream;
mod time;
pub use exchange::topic;
mod vec_map;

pub use broker::{
    Broker, Destination, ExchangeRef, PublishedBatch, QueueRecovery, QueueRef, ReadyMessage,
    RecoverError, Recovered, StreamRecovery, StreamRef, Unacked,
};
pub use common_error::{LimitError, LimitKind, NameError};
pub use error::Error;
pub use event::{
    DeadLetterReason, Delivery, DropReason, Event, EventFilter, EventKind, RequeueReason,
};
pub use exchange::{BindError, DeclareExchangeError, DeleteExchangeError, UnbindError};
pub use exchange::{BindingInfo, ExchangeKind};
pub use ids::{
    BindingId, ConsumerId, DeliveryTag, ExchangeId, LogId, MessageId, Offset, QueueId, Ref,
    SubscriptionId, Target,
};
pub use limits::Limits;
pub use message::{MessageMeta, Payload, PayloadArena, Publish};
pub use pubsub::{Received, SubscriptionConfig};
pub use pubsub::{SubscribeError, SubscriptionError};
pub use queue::{
    AckError, ConsumeError, ConsumerError, DeclareQueueError, PublishError, QueueError,
};
pub use queue::{ConsumerConfig, ConsumerInfo, ConsumerState, Overflow, QueueConfig, QueueStats};
pub use storage::{LogBounds, MemoryStorage, Record, Storage, StorageError};
pub use time::{Duration, Instant};

pub use group::{CommitError, DeleteGroupError, GroupError, JoinGroupError};
pub use group::{GroupConfig, GroupPartitionInfo, LeaveReason, MemberAssignment};
pub use group::{GroupProtocol, GroupState, HeartbeatReply};
pub use group::{ResetOffsetsError, ResetPlan, ResetScope, ResetTarget};
pub use ids::{GroupId, StreamConsumerId, StreamId};
pub use ids::{ShareGroupId, ShareMemberId};
pub use share::{AcknowledgeType, AcquiredRecord, ShareGroupConfig, ShareOffsetReset};
pub use share::{
    CreateShareGroupError, JoinShareGroupError, ShareAcknowledgeError, ShareMemberError,
};
pub use stream::{
    COMPACT_MIN_DIRTY, CleanupPolicy, DEFAULT_TOMBSTONE_RETENTION, MAX_TOMBSTONE_RETENTION,
};
pub use stream::{DeclareStreamError, PollError, ProduceError, SeekError, StreamConsumerError};
pub use stream::{
    OffsetReset, Partition, PartitionStats, PolledPosition, Produced, Retention, RetentionReason,
    SeekTo, StreamConfig, StreamConsumerConfig, StreamPartition, StreamRecord,
};
pub use topic::{TopicPattern, TopicVerdict, topic_matches};

#[cfg(feature = "std")]
pub use shared::{Flusher, SharedBroker};
