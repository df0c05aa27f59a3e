//! The plain-words introduction of each ready-made scenario: what the pattern is for, what
//! to watch, and two things to try.

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
}

const GUIDES: [Guide; 6] = [
    Guide {
        id: "a",
        label: "A · Queue",
        purpose: "A queue shares work between workers. Each job goes to exactly one worker, and it is gone once that worker says it is done (acks it).",
        watch: "worker-2 crashes at 3.1 s while holding a job. It never acked that job, so the queue gives it to worker-1 again: look for the delivery marked \u{201c}redelivered\u{201d} in the event log.",
        try_this: [
            "Step one event at a time around 3.1 s and follow the job worker-2 held.",
            "Crash worker-1 from the inspector while worker-2 is down and watch the queue's depth bar grow.",
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
    },
    Guide {
        id: "e",
        label: "E · Consumer groups",
        purpose: "A consumer group splits a partitioned stream between its members: each partition has one owner, and other groups read everything independently.",
        watch: "analytics grows from one to four members; each join is a new generation. With four members on three partitions one member is idle. At 9 s analytics-2 is killed and its partition moves after the session timeout.",
        try_this: [
            "Step through 2 s, 4 s and 6 s and watch the assignment table change.",
            "Press Add member under the analytics table and read, below it, which partitions changed hands.",
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
