//! Records removed from inside a log (`Storage::remove_records`, what compaction uses) on
//! every backend: the bounds stay, the removed offsets read as `Removed`, `read_range` stops
//! before a gap, `next_record` steps over gaps, the log start passing a gap forgets it, and
//! after a flush and a restart (the same memory, the folder reopened, the process killed) the
//! log has the same gaps.

mod support;

use support::backend::{self, Backend};

use brokerlab::{Instant, LogId, MessageId, Offset, Payload, Record, Storage, StorageError};

const LOG: LogId = LogId(1);

fn record(i: u64) -> Record {
    Record {
        message: MessageId(i),
        timestamp: Instant::from_millis(i),
        payload: Payload::from(format!("r{i}")),
        meta: None,
    }
}

/// Which offsets of `LOG` read, and what `read_range` from each offset returns.
fn view<S: Storage>(s: &S) -> Vec<(u64, Option<u64>, usize)> {
    let b = s.bounds(LOG).expect("log");
    (b.start.0..b.end.0)
        .map(|o| {
            let read = s.read(LOG, Offset(o)).ok().map(|r| r.message.0);
            let mut out = Vec::new();
            let _ = s.read_range(LOG, Offset(o), 100, &mut out);
            (o, read, out.len())
        })
        .collect()
}

fn removed_records_leave_gaps_that_survive_a_restart<S: Backend>() {
    let (mut s, _dir) = S::fresh("removed_records_leave_gaps");
    s.create_log(LOG).expect("create");
    for i in 0..10 {
        s.append(LOG, record(i)).expect("append");
    }
    assert_eq!(
        s.remove_records(LOG, &[Offset(7), Offset(2), Offset(3)]),
        Ok(3)
    );
    assert_eq!(
        s.remove_records(LOG, &[Offset(3)]),
        Ok(0),
        "already removed"
    );
    assert_eq!(
        s.remove_records(LOG, &[Offset(4), Offset(10)]),
        Err(StorageError::OutOfRange {
            log: LOG,
            offset: Offset(10)
        })
    );
    assert!(
        s.read(LOG, Offset(4)).is_ok(),
        "a refused call removes nothing"
    );
    assert_eq!(
        s.read(LOG, Offset(2)),
        Err(StorageError::Removed {
            log: LOG,
            offset: Offset(2)
        })
    );
    assert!(s.check_readable(LOG, Offset(3)).is_err());
    let b = s.bounds(LOG).expect("log");
    assert_eq!((b.start, b.end), (Offset(0), Offset(10)), "bounds stay");
    let mut out = Vec::new();
    s.read_range(LOG, Offset(0), 100, &mut out).expect("range");
    let got: Vec<u64> = out.iter().map(|r| r.message.0).collect();
    assert_eq!(got, [0, 1], "stops before the gap");
    assert!(s.read_range(LOG, Offset(2), 100, &mut out).is_err());
    let next: Vec<u64> = (0..12)
        .map(|o| s.next_record(LOG, Offset(o)).expect("next").0)
        .collect();
    assert_eq!(next, [0, 1, 4, 4, 4, 5, 6, 8, 8, 9, 10, 10]);
    s.flush().expect("flush");
    let before = view(&s);
    let s = s.reopen();
    assert_eq!(
        view(&s),
        before,
        "{}: the same gaps after a restart",
        S::NAME
    );

    // The log start passing the gaps forgets them; later gaps stay, across a restart too.
    let mut s = s;
    s.drop_prefix(LOG, Offset(3)).expect("drop");
    assert_eq!(s.next_record(LOG, Offset(0)), Ok(Offset(4)));
    s.flush().expect("flush");
    let before = view(&s);
    let s = s.reopen();
    assert_eq!(view(&s), before);
    assert_eq!(view(&s)[4], (7, None, 0));
}

fn removal_frees_the_records_it_removed<S: Backend>() {
    let (mut s, _dir) = S::fresh("removal_frees");
    s.create_log(LOG).expect("create");
    for i in 0..4 {
        s.append(LOG, record(i)).expect("append");
    }
    s.remove_records(LOG, &[Offset(1), Offset(2)])
        .expect("remove");
    s.delete_log(LOG).expect("delete");
    s.create_log(LOG).expect("again");
    s.append(LOG, record(0)).expect("append");
    assert!(s.read(LOG, Offset(1)).is_err());
    assert_eq!(s.next_record(LOG, Offset(0)), Ok(Offset(0)));
    s.append(LOG, record(1)).expect("append");
    s.append(LOG, record(2)).expect("append");
    assert!(s.read(LOG, Offset(1)).is_ok(), "a new log has no old gaps");
    s.flush().expect("flush");
    let s = s.reopen();
    assert!(s.read(LOG, Offset(2)).is_ok(), "nor after a restart");
}

on_every_backend! {
    generic:
        removed_records_leave_gaps_that_survive_a_restart,
        removal_frees_the_records_it_removed;
}
