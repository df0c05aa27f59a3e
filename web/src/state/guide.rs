//! The plain-words introduction of each ready-made scenario: what the pattern is for, what
//! to watch, two things to try, and the guided tour: a few [`Step`]s, each at a moment of
//! the run where the playground pauses, says what to look at and highlights the entities it
//! talks about.

/// One scenario's introduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Guide {
    /// The scenario id.
    pub id: &'static str,
    /// The short name on the picker.
    pub label: &'static str,
    /// What the pattern is for.
    pub purpose: &'static str,
    /// What to watch in this run.
    pub watch: &'static str,
    /// Two things to try.
    pub try_this: [&'static str; 2],
    /// What "Find a counterexample" shows about this pattern (empty: nothing to point at).
    pub counterexample: &'static str,
    /// The guided tour, in time order; the first step is at 0.
    pub steps: &'static [Step],
}

/// One moment of a guided tour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// When it comes, in logical ms: a run played through this moment pauses at it.
    pub at_ms: u64,
    /// What to look at, in plain words.
    pub say: &'static str,
    /// The entities it talks about ([`Entity::key`](super::Entity::key)s), highlighted on
    /// the drawing while it shows.
    pub look: &'static [&'static str],
}

impl Guide {
    /// The index of the step shown at logical time `now_ms`: the last one whose moment has
    /// come.
    #[must_use]
    pub fn step_at(&self, now_ms: u64) -> usize {
        self.steps
            .iter()
            .rposition(|s| s.at_ms <= now_ms)
            .unwrap_or(0)
    }

    /// The first step moment in `(from_ms, to_ms]`: where a run advancing from `from_ms` to
    /// `to_ms` stops.
    #[must_use]
    pub fn stop_between(&self, from_ms: u64, to_ms: u64) -> Option<u64> {
        self.steps
            .iter()
            .map(|s| s.at_ms)
            .find(|&at| at > from_ms && at <= to_ms)
    }
}

const GUIDES: [Guide; 10] = [
    Guide {
        id: "a",
        label: "A · Queue",
        purpose: "A queue shares work between workers. Each job goes to exactly one worker, and it is gone once that worker says it is done (acks it).",
        watch: "worker-2 crashes at 3.1 s while holding a job. It never acked that job, so the queue gives it to worker-1 again: look for the delivery marked \u{201c}redelivered\u{201d} in the event log.",
        try_this: [
            "Step one event at a time around 3.1 s and follow the job worker-2 held.",
            "Crash worker-1 from the inspector while worker-2 is down and watch the queue's depth bar grow.",
        ],
        counterexample: "Find a counterexample to \u{201c}No message lost\u{201d}: there is none, because the workers ack after processing. Switch both workers to auto-ack (Build, then select a worker) and search again: worker-2\u{2019}s crash loses the job it held.",
        steps: &[
            Step {
                at_ms: 0,
                say: "api puts four jobs a second on the queue jobs. worker-1 and worker-2 take turns: each job goes to exactly one of them, and leaves the queue when that worker acks it.",
                look: &[
                    "producer:api",
                    "queue:jobs",
                    "consumer:worker-1",
                    "consumer:worker-2",
                ],
            },
            Step {
                at_ms: 3_100,
                say: "worker-2 has just crashed while holding a job. It never acked that job, so the job is not lost: it goes back into jobs.",
                look: &["consumer:worker-2", "queue:jobs"],
            },
            Step {
                at_ms: 3_600,
                say: "worker-1 has the job again, marked \u{201c}redelivered\u{201d} in the event log below: nothing lost, but processed twice, so work must be safe to repeat.",
                look: &["consumer:worker-1"],
            },
            Step {
                at_ms: 7_000,
                say: "worker-2 is back and the two split the work again.",
                look: &["consumer:worker-2", "consumer:worker-1"],
            },
        ],
    },
    Guide {
        id: "b",
        label: "B · Pub/Sub",
        purpose: "Publish/subscribe broadcasts: every subscriber listening when a message is published gets its own copy, and the publisher does not know who listens.",
        watch: "archive subscribes at 3 s. It gets everything from then on but never the fifteen prices published before, so its count stays fifteen below dashboard's.",
        try_this: [
            "Compare the processed counts of dashboard and archive at the end.",
            "Crash alerts for a while: what it misses while down is not kept for it.",
        ],
        counterexample: "Find a counterexample to \u{201c}No message lost\u{201d}: a subscriber that goes down misses what is published meanwhile, and pub/sub keeps nothing for it.",
        steps: &[
            Step {
                at_ms: 0,
                say: "ticker publishes prices to the topic exchange prices. dashboard (stock.#) and alerts (stock.*) each get their own copy of every price.",
                look: &[
                    "producer:ticker",
                    "exchange:prices",
                    "subscription:dashboard",
                    "subscription:alerts",
                ],
            },
            Step {
                at_ms: 3_000,
                say: "archive subscribes now. From here on it gets every price, but nothing published before it listened was kept for it.",
                look: &["subscription:archive", "consumer:archive"],
            },
            Step {
                at_ms: 7_000,
                say: "Compare the processed counts: archive stays fifteen below dashboard, the prices from before it subscribed.",
                look: &["consumer:archive", "consumer:dashboard"],
            },
        ],
    },
    Guide {
        id: "c",
        label: "C · Fan-out",
        purpose: "Fan-out copies each message into several durable queues, one per service, so each service works at its own pace and none loses anything.",
        watch: "email-worker is down from 2 s to 6 s. The email queue fills up while inventory and analytics stay near empty; after the restart the backlog drains.",
        try_this: [
            "Select the email queue and watch its depth chart rise and fall.",
            "Crash inventory-worker too and restart it: its queue keeps every order for it.",
        ],
        counterexample: "Give the email queue a max length of 5 with overflow drop-head (Build, then select email), then find a counterexample to \u{201c}No message lost\u{201d}: while email-worker is down the oldest orders are dropped.",
        steps: &[
            Step {
                at_ms: 0,
                say: "shop publishes each order once to the fanout exchange orders, which copies it into three durable queues, one per service.",
                look: &[
                    "producer:shop",
                    "exchange:orders",
                    "queue:email",
                    "queue:inventory",
                    "queue:analytics",
                ],
            },
            Step {
                at_ms: 2_000,
                say: "email-worker has crashed. Watch the email queue fill up while inventory and analytics keep draining.",
                look: &["consumer:email-worker", "queue:email"],
            },
            Step {
                at_ms: 6_000,
                say: "email-worker is back. Nothing was lost: it works through the backlog, twice as fast as orders arrive, and catches up.",
                look: &["consumer:email-worker", "queue:email"],
            },
        ],
    },
    Guide {
        id: "d",
        label: "D · Streaming",
        purpose: "A stream is a log that keeps records. Reading does not remove anything: each reader keeps its own position (offset), and can go back and read again.",
        watch: "live reads at the end of the log. replay joins at 3 s and reads from offset 0 the same records live read earlier. Retention keeps 40 records, so the log start moves on.",
        try_this: [
            "Filter the event log by replay and compare its payloads with live's for the same offsets.",
            "Select replay and seek it to the end: it skips what is left of the old records and reads only new ones.",
        ],
        counterexample: "Find a counterexample to \u{201c}No message lost\u{201d}: retention removes records the slow replay has not read yet.",
        steps: &[
            Step {
                at_ms: 0,
                say: "web appends clicks to the stream clicks. live reads at the end of the log: its marker above the log says where it reads next.",
                look: &["producer:web", "stream:clicks", "consumer:live"],
            },
            Step {
                at_ms: 3_000,
                say: "replay joins and starts from the log start: its marker is at the left, and the shaded span to the end is how far behind it is (its lag).",
                look: &["consumer:replay", "stream:clicks"],
            },
            Step {
                at_ms: 5_000,
                say: "Retention keeps 40 records: the log start has moved past replay's position. The records it had not read are gone, and its position jumped to the new log start.",
                look: &["stream:clicks", "consumer:replay"],
            },
            Step {
                at_ms: 7_000,
                say: "replay seeks back to the beginning, which is now the log start, well past offset 0: what retention removed cannot be read again.",
                look: &["consumer:replay", "stream:clicks"],
            },
        ],
    },
    Guide {
        id: "e",
        label: "E · Consumer groups",
        purpose: "A consumer group splits a partitioned stream between its members: each partition has one owner, and other groups read everything independently.",
        watch: "analytics grows from one to four members; each join is a new generation. With four members on three partitions one member is idle (a share group, scenario F, keeps six members busy on three partitions). At 9 s analytics-2 is killed and its partition moves after the session timeout.",
        try_this: [
            "Step through 2 s, 4 s and 6 s and watch the assignment table change.",
            "Press Add member under the analytics table and read, below it, which partitions changed hands.",
        ],
        counterexample: "Switch an analytics member to auto-ack (it commits on poll, before processing) and find a counterexample to \u{201c}No message lost\u{201d}: a crash skips records it committed but never processed. \u{201c}Every partition owned\u{201d} shows a killed member\u{2019}s partition waiting for its session timeout.",
        steps: &[
            Step {
                at_ms: 0,
                say: "checkout sends orders keyed by customer to three partitions. analytics-1 owns all three for group analytics; backup-1 reads everything for group backup. Each partition shows its owner's colour.",
                look: &[
                    "producer:checkout",
                    "stream:orders",
                    "consumer:analytics-1",
                    "consumer:backup-1",
                ],
            },
            Step {
                at_ms: 2_000,
                say: "analytics-2 joins: a new generation, and the partitions are split between the two members. backup is not affected.",
                look: &["consumer:analytics-2", "group:analytics"],
            },
            Step {
                at_ms: 6_000,
                say: "analytics-4 joins: four members on three partitions, so one member owns nothing and waits.",
                look: &["consumer:analytics-4", "group:analytics"],
            },
            Step {
                at_ms: 9_000,
                say: "analytics-2 is killed. Its partition does not move yet: the group waits for its 3 s session timeout.",
                look: &["consumer:analytics-2"],
            },
            Step {
                at_ms: 12_500,
                say: "The session timed out: the group rebalanced and another member owns analytics-2's partition, resuming from the last committed offset.",
                look: &["group:analytics", "stream:orders"],
            },
            Step {
                at_ms: 14_000,
                say: "backup-1 crashed at 13 s and is back: it is a static member (group.instance.id), so within its session timeout it takes its partitions back in the same generation. No rebalance, unlike analytics-2.",
                look: &["consumer:backup-1", "group:backup"],
            },
        ],
    },
    Guide {
        id: "f",
        label: "F · Share group",
        purpose: "A share group (Kafka's queues for Kafka) shares the records of a stream, not its partitions: every member reads every partition and each record goes to one member at a time, under a lock, so there can be more workers than partitions.",
        watch: "Six workers on three partitions all get work, where a consumer group (scenario E) gives each partition one owner and would leave three of six members idle. A released record comes back with delivery count 2; a rejected one is archived for good; a slow worker's lock expires and another worker gets its record; a crash hands back what the worker held at once.",
        try_this: [
            "Open scenario E and compare: its fourth analytics member owns no partition and waits; here every member may fetch from every partition.",
            "Remove two workers: the other four still share all three partitions.",
        ],
        counterexample: "Find a counterexample to \u{201c}No message processed twice\u{201d}: worker-4 processed a record and released it, and worker-5 processed it again. A share group delivers at least once: a release, a crash or an expired lock brings a record back.",
        steps: &[
            Step {
                at_ms: 0,
                say: "checkout sends orders keyed by customer to three partitions. worker-1 to worker-5 are members of the share group fulfilment: each may fetch from every partition, one record at a time.",
                look: &[
                    "producer:checkout",
                    "stream:orders",
                    "consumer:worker-1",
                    "consumer:worker-5",
                ],
            },
            Step {
                at_ms: 1_400,
                say: "worker-4 released a record it could not handle: it went back to the group, and worker-5 acquired it with delivery count 2. worker-5 rejects one record in five: those are archived and never delivered again.",
                look: &["consumer:worker-4", "consumer:worker-5"],
            },
            Step {
                at_ms: 4_000,
                say: "A burst of 24 orders arrives and worker-6 joins: a seventh member needs no rebalance, it simply fetches from all three partitions too.",
                look: &["consumer:worker-6", "stream:orders"],
            },
            Step {
                at_ms: 5_000,
                say: "All six workers are busy: worker-1 to worker-5 have processed records and worker-6 is on its first. A consumer group (scenario E) gives each partition one owner, so three of six members would own nothing and wait. worker-6's slow record does not block its partition either: other workers accept the records after it meanwhile (up to the partition's 200 records in flight), where a group member holds up its whole partition.",
                look: &["consumer:worker-1", "consumer:worker-6", "stream:orders"],
            },
            Step {
                at_ms: 6_000,
                say: "worker-6 is slow: its record's 2 s lock expired before it finished, and worker-1 acquired the record with delivery count 2. worker-6's late acknowledgement is refused.",
                look: &["consumer:worker-6", "consumer:worker-1"],
            },
            Step {
                at_ms: 8_000,
                say: "worker-3 crashed: the record it held went back to the group at once, its delivery count kept, and another worker took it. worker-3 is back at 9.5 s and fetches again.",
                look: &["consumer:worker-3"],
            },
        ],
    },
    Guide {
        id: "comparison",
        label: "All five side by side",
        purpose: "The same orders go through all five patterns, and in each one a consumer crashes at 4 s and comes back at 8 s.",
        watch: "What each pattern does with the crash: the queue redelivers, pub/sub loses what was sent meanwhile, fan-out keeps a backlog, the stream resumes from the committed offset, the group hands the partitions to another member.",
        try_this: [
            "Pause at 6 s and compare the five consumers that crashed.",
            "Select c.email and a.jobs and compare their depth charts.",
        ],
        counterexample: "",
        steps: &[
            Step {
                at_ms: 0,
                say: "The same orders go through all five patterns, one row each: a queue, pub/sub, fan-out, a stream and a consumer group.",
                look: &[],
            },
            Step {
                at_ms: 4_000,
                say: "One consumer in every pattern has crashed. Watch what each pattern does with the messages meanwhile.",
                look: &[
                    "consumer:a.worker-2",
                    "consumer:b.sub-2",
                    "consumer:c.email-worker",
                    "consumer:d.reader",
                    "consumer:e.member-2",
                ],
            },
            Step {
                at_ms: 8_000,
                say: "They are back: the queue redelivered, pub/sub lost what was sent meanwhile, fan-out kept a backlog, the stream resumed from its commit, the group handed the partitions on.",
                look: &[],
            },
        ],
    },
    Guide {
        id: "comparison6",
        label: "All six side by side",
        purpose: "The same orders go through all six patterns, the share group added, and in each one a consumer crashes at 4 s and comes back at 8 s.",
        watch: "What each pattern does with the crash. The queue redelivers, pub/sub loses what was sent meanwhile, fan-out keeps a backlog, the stream resumes from the committed offset, the group hands the partitions to another member after its session timeout. The share group hands back the crashed member's record at once, with its delivery count, and the other two members keep reading all three partitions.",
        try_this: [
            "Pause at 4 s and compare the group row with the share-group row: e.member-2's partitions wait for the session timeout, f.worker-2's record is taken again at once.",
            "Filter the event log by released: f.worker-2's record, released by a member that crashed, then acquired with delivery count 2.",
        ],
        counterexample: "",
        steps: &[
            Step {
                at_ms: 0,
                say: "The same orders go through all six patterns, one row each: a queue, pub/sub, fan-out, a stream, a consumer group and a share group, whose three members each read all three partitions of f.orders.",
                look: &[
                    "stream:f.orders",
                    "consumer:f.worker-1",
                    "consumer:f.worker-2",
                    "consumer:f.worker-3",
                ],
            },
            Step {
                at_ms: 4_000,
                say: "One consumer in every pattern has crashed. f.worker-2 held a record: the share group released it at once, its delivery count kept, and f.worker-3 acquired it with delivery count 2. The group's partitions, by contrast, wait for e.member-2's session timeout.",
                look: &[
                    "consumer:a.worker-2",
                    "consumer:b.sub-2",
                    "consumer:c.email-worker",
                    "consumer:d.reader",
                    "consumer:e.member-2",
                    "consumer:f.worker-2",
                ],
            },
            Step {
                at_ms: 6_000,
                say: "f.worker-1 and f.worker-3 keep all three partitions moving while f.worker-2 is down: no partition has to change owner, every member already reads them all.",
                look: &[
                    "consumer:f.worker-1",
                    "consumer:f.worker-3",
                    "stream:f.orders",
                ],
            },
            Step {
                at_ms: 8_000,
                say: "They are back: the queue redelivered, pub/sub lost what was sent meanwhile, fan-out kept a backlog, the stream resumed from its commit, the group handed the partitions on, and f.worker-2 simply fetches again from every partition.",
                look: &[],
            },
        ],
    },
    Guide {
        id: "changelog",
        label: "Changelog",
        purpose: "A compacted stream keeps the latest record of each key, not the whole history: a changelog from which any reader can rebuild the current state, however late it starts.",
        watch: "The log's hollow cells are offsets whose record compaction removed: offsets never change. new-service joins at 5 s and reads one address per user; bob's delete (an empty record, a tombstone) goes after 3 s, so audit, at 8 s, never hears of bob.",
        try_this: [
            "Filter the event log by compacted: each compaction says how many older records it removed and how many it kept.",
            "Select new-service and seek it to the beginning: it reads again only what compaction kept, one record per user.",
        ],
        counterexample: "",
        steps: &[
            Step {
                at_ms: 0,
                say: "profile-service writes the address of four users in turn to the compacted stream profiles.",
                look: &["producer:profile-service", "stream:profiles"],
            },
            Step {
                at_ms: 2_000,
                say: "Compaction has run several times: only the latest record of each user is left, the hollow cells are gaps. The log end keeps growing, offsets never change.",
                look: &["stream:profiles"],
            },
            Step {
                at_ms: 5_000,
                say: "bob deleted his account at 4 s: an empty record, a tombstone. new-service starts from offset 0 and rebuilds the state: the latest address of each user, then bob's delete.",
                look: &["consumer:new-service", "stream:profiles"],
            },
            Step {
                at_ms: 8_000,
                say: "The tombstone's 3 s are up: compaction removed it with bob's last address. audit, from offset 0, reads three users only.",
                look: &["consumer:audit", "stream:profiles"],
            },
        ],
    },
    Guide {
        id: "rebalancing",
        label: "Rebalancing",
        purpose: "How a consumer group moves partitions when a member joins or leaves: the classic protocol with an eager assignor stops the whole group, with a cooperative one only what moves, and Kafka 4\u{2019}s consumer protocol moves partitions one member at a time with no barrier.",
        watch: "Each group table shows its state (hover or focus it for what it means). At 5 s a fourth member joins each group. eager goes PreparingRebalance and its members stop one by one as their heartbeats tell them, until the last one is back. cooperative keeps reading; only the moved partition waits, over two rebalances. kip848 stays Reconciling while each member gives up what moves on its own heartbeat.",
        try_this: [
            "Filter the event log by state: every group-state change, with what it means.",
            "Step one event at a time from 5 s: watch eager\u{2019}s members give up everything one heartbeat after another, while kip848\u{2019}s keep what does not move.",
        ],
        counterexample: "",
        steps: &[
            Step {
                at_ms: 0,
                say: "Three groups read the same stream, each with members starting 1 s apart. The classic groups wait their 1.5 s initial rebalance delay, extended while members keep joining; kip848 (the consumer protocol) assigns at once and reconciles member by member.",
                look: &["group:eager", "group:cooperative", "group:kip848"],
            },
            Step {
                at_ms: 5_500,
                say: "A fourth member joined each group at 5 s. eager is PreparingRebalance: a member told by its heartbeat has given up all its partitions and waits; the others read on until they hear. kip848 already gave the new member a free partition.",
                look: &["group:eager", "group:kip848"],
            },
            Step {
                at_ms: 7_500,
                say: "The last eager member rejoined at 7.3 s: generation 2, everyone reads again after a stop of up to 2 s. cooperative finished its first rebalance: one partition was revoked and waits, unowned, for the second; the others never stopped.",
                look: &["group:eager", "group:cooperative"],
            },
            Step {
                at_ms: 10_500,
                say: "cooperative\u{2019}s second rebalance gave the waiting partition to the new member. All three converged: eager by stopping every member until the last rejoined, cooperative in two rounds without stopping the others, kip848 one heartbeat at a time with no barrier.",
                look: &["group:cooperative", "group:kip848"],
            },
        ],
    },
];

/// The introductions, in picker order.
#[must_use]
pub fn guides() -> &'static [Guide] {
    &GUIDES
}

/// The introduction of scenario `id`.
#[must_use]
pub fn guide(id: &str) -> Option<&'static Guide> {
    GUIDES.iter().find(|g| g.id == id)
}
