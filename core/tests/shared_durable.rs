//! `SharedBroker` over `FileStorage`: producer and consumer threads on a queue on disk, every
//! message acked exactly once; after the process "restarts" (the handle dropped, the folder
//! opened again and the broker recovered) nothing acked comes back and ids carry on.

#[path = "support/temp_dir.rs"]
mod temp_dir;

use std::collections::HashSet;
use std::time::Duration as Wait;

use brokerlab::shared::SystemClock;
use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{Broker, ConsumerConfig, Limits, QueueConfig, SharedBroker};
use temp_dir::TempDir;

const GENEROUS: Wait = Wait::from_secs(20);

fn open(dir: &TempDir) -> SharedBroker<FileStorage> {
    let options = FileOptions {
        sync: SyncPolicy::Os,
        ..FileOptions::default()
    };
    let (storage, report) = FileStorage::open(dir.path(), options).expect("open");
    assert!(report.is_clean(), "{report}");
    let (broker, _) = Broker::recover(storage, Limits::default()).expect("recover");
    SharedBroker::with_clock(broker, SystemClock::since_unix_epoch())
}

#[test]
fn threads_share_a_queue_on_disk_and_a_restart_redoes_nothing() {
    const PER_PRODUCER: usize = 1_000;
    let dir = TempDir::new("shared-durable");
    let shared = open(&dir);
    shared
        .with(|b, now| b.declare_queue(now, "work", QueueConfig::default()))
        .expect("declare");
    let consumers: Vec<_> = (0..3)
        .map(|i| {
            let c = ConsumerConfig::default().with_prefetch(8);
            shared
                .consume("work", &format!("c{i}"), c)
                .expect("consume")
        })
        .collect();
    let got: Vec<String> = std::thread::scope(|s| {
        for p in 0..2 {
            let shared = &shared;
            s.spawn(move || {
                for n in 0..PER_PRODUCER {
                    shared
                        .publish("", "work", format!("p{p}-{n}"))
                        .expect("publish");
                }
            });
        }
        let workers: Vec<_> = consumers
            .iter()
            .map(|&c| {
                let shared = &shared;
                s.spawn(move || {
                    let mut got = Vec::new();
                    while let Some(d) = shared.recv(c, Wait::from_millis(300)).expect("recv") {
                        got.push(String::from_utf8(d.payload.as_bytes().to_vec()).expect("utf-8"));
                        shared.ack(c, d.delivery).expect("ack");
                    }
                    got
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker"))
            .collect()
    });
    // A worker stops after 300 ms without a message; pick up anything left so the count is
    // exact whatever the scheduling was.
    let mut got = got;
    while let Some(d) = shared
        .recv(consumers[0], GENEROUS.min(Wait::from_millis(300)))
        .expect("recv")
    {
        got.push(String::from_utf8(d.payload.as_bytes().to_vec()).expect("utf-8"));
        shared.ack(consumers[0], d.delivery).expect("ack");
    }
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(got.len(), 2 * PER_PRODUCER, "each message once");
    assert_eq!(unique.len(), 2 * PER_PRODUCER);
    let last_id = shared
        .publish("", "work", "after the run")
        .expect("publish");
    drop(shared);

    let shared = open(&dir);
    let (ready, next) = shared
        .read(|b| {
            let q = b.queue_id("work").expect("queue");
            (b.queue_stats(q).expect("stats").ready, b.next_message_id())
        })
        .expect("read");
    assert_eq!(ready, 1, "only the message published after the run is left");
    assert!(next > last_id);
}
