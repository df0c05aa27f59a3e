//! Time travel: a seek gives the very state a fresh run to that moment gives, backwards and
//! forwards, with checkpoints capped; forks share the past and part at the change.

use brokerlab::Instant;
use brokerlab::sim::{Action, Simulation, Timeline, TimelineConfig, ready};

fn fresh(id: &str, ms: u64) -> Simulation {
    let mut sim = Simulation::new(&ready::load(id).unwrap()).unwrap();
    sim.run_until(Instant::from_millis(ms));
    sim
}

/// What a moment looks like: trace hash, totals, groups, consumers and partitions.
fn state(sim: &Simulation) -> String {
    format!(
        "{:?} {:?} {:?} {:?} {:?}",
        sim.trace_hash(),
        sim.totals(),
        sim.group_views(),
        sim.consumer_views(),
        sim.partition_views()
    )
}

#[test]
fn seeking_back_and_forth_gives_the_state_of_a_fresh_run() {
    let scenario = ready::load("comparison").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    for ms in [6_000, 2_000, 6_000, 0, 7_500, 3_333, 9_000] {
        t.seek(Instant::from_millis(ms));
        assert_eq!(t.sim().now(), Instant::from_millis(ms));
        assert_eq!(
            state(t.sim()),
            state(&fresh("comparison", ms)),
            "at {ms} ms"
        );
    }
}

#[test]
fn checkpoints_stay_within_their_cap_and_spread_out() {
    let scenario = ready::load("e").unwrap();
    let config = TimelineConfig {
        every_ms: 500,
        max_checkpoints: 8,
    };
    let mut t = Timeline::new(&scenario, config).unwrap();
    t.seek(scenario_end(&t));
    let times: Vec<u64> = t.checkpoints().map(|c| c.as_millis()).collect();
    assert!(times.len() <= 8, "{times:?}");
    assert!(
        t.spacing_ms() > 500,
        "the spacing doubled: {}",
        t.spacing_ms()
    );
    assert_eq!(times[0], 0);
    assert!(
        times
            .windows(2)
            .all(|w| w[1] - w[0] == t.spacing_ms() || w[0] == 0),
        "{times:?}"
    );
    // Still exact after the thinning.
    t.seek(Instant::from_millis(4_321));
    assert_eq!(state(t.sim()), state(&fresh("e", 4_321)));
}

fn scenario_end(t: &Timeline) -> Instant {
    t.sim().end()
}

#[test]
fn a_fork_shares_the_past_and_replays_its_own_change_after_a_seek() {
    let scenario = ready::load("a").unwrap();
    let mut main = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    main.seek(Instant::from_millis(3_000));
    let mut fork = main.fork();
    fork.apply(&Action::Crash {
        consumer: "worker-1".into(),
    })
    .unwrap();
    fork.seek(Instant::from_millis(8_000));
    main.seek(Instant::from_millis(8_000));
    assert_ne!(fork.sim().trace_hash(), main.sim().trace_hash());
    // The fork's scenario carries the change, scripted at its time.
    let script = fork.scenario().script;
    assert_eq!(script.len(), scenario.script.len() + 1);
    assert!(script.iter().any(|s| s.at_ms == 3_000
        && matches!(&s.action, Action::Crash { consumer } if consumer == "worker-1")));
    // Back before the change and forward again: the change is replayed at its time.
    let at_8s = state(fork.sim());
    fork.seek(Instant::from_millis(1_000));
    assert_eq!(
        state(fork.sim()),
        state(&fresh("a", 1_000)),
        "the shared past"
    );
    fork.seek(Instant::from_millis(8_000));
    assert_eq!(state(fork.sim()), at_8s);
    // The original is untouched.
    assert_eq!(state(main.sim()), state(&fresh("a", 8_000)));
}

#[test]
fn a_change_in_the_past_replaces_the_future_it_changes() {
    let scenario = ready::load("a").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    t.seek(Instant::from_millis(5_000));
    t.apply(&Action::Crash {
        consumer: "worker-1".into(),
    })
    .unwrap();
    t.seek(Instant::from_millis(2_000));
    t.apply(&Action::Crash {
        consumer: "worker-1".into(),
    })
    .unwrap();
    assert_eq!(
        t.applied().len(),
        1,
        "the crash at 5 s belonged to the future replaced"
    );
    assert_eq!(t.applied()[0].at_ms, 2_000);
    assert!(t.checkpoints().all(|c| c.as_millis() <= 2_000));
}

#[test]
fn futures_that_never_part_have_no_divergence() {
    let scenario = ready::load("a").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    t.seek(Instant::from_millis(2_500));
    let same = t.fork();
    assert_eq!(t.divergence(&same, Instant::from_millis(10_000)), None);
}

#[test]
fn a_fork_diverges_at_its_change_and_names_the_first_differing_event() {
    let scenario = ready::load("a").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    t.seek(Instant::from_millis(2_000));
    let mut fork = t.fork();
    fork.apply(&Action::Crash {
        consumer: "worker-1".into(),
    })
    .unwrap();
    let d = t.divergence(&fork, Instant::from_millis(10_000)).unwrap();
    assert_eq!(d.at, Instant::from_millis(2_000));
    let theirs = d.theirs.expect("the crash, in the fork only");
    assert!(
        format!("{theirs:?}").contains("ConsumerCrashed"),
        "{theirs:?}"
    );
    // Either way round.
    let back = fork.divergence(&t, Instant::from_millis(10_000)).unwrap();
    assert_eq!((back.at, back.ours), (d.at, Some(theirs)));
}

#[test]
fn different_scenarios_share_no_past() {
    let a = Timeline::new(&ready::load("a").unwrap(), TimelineConfig::default()).unwrap();
    let b = Timeline::new(&ready::load("b").unwrap(), TimelineConfig::default()).unwrap();
    assert_eq!(a.divergence(&b, Instant::from_millis(5_000)), None);
}

#[test]
fn a_planned_future_is_the_fork_it_was_taken_from() {
    let scenario = ready::load("a").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    t.seek(Instant::from_millis(1_500));
    t.apply(&Action::Crash {
        consumer: "worker-1".into(),
    })
    .unwrap();
    t.seek(Instant::from_millis(4_200));
    t.apply(&Action::Restart {
        consumer: "worker-1".into(),
    })
    .unwrap();
    t.seek(Instant::from_millis(9_000));
    // The same actions planned on a fresh timeline of the scenario.
    let mut planned = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    planned.plan(t.applied().iter().rev().cloned());
    planned.seek(Instant::from_millis(9_000));
    assert_eq!(state(planned.sim()), state(t.sim()));
    assert_eq!(t.divergence(&planned, Instant::from_millis(10_000)), None);
}

#[test]
fn cancelling_crashes_spares_the_consumer_and_is_refused_when_none_is_left() {
    let scenario = ready::load("a").unwrap();
    let mut t = Timeline::new(&scenario, TimelineConfig::default()).unwrap();
    t.seek(Instant::from_millis(3_000));
    let mut spared = t.fork();
    spared
        .apply(&Action::CancelCrashes {
            consumer: "worker-2".into(),
        })
        .unwrap();
    // Nothing left to call off.
    let again = spared.apply(&Action::CancelCrashes {
        consumer: "worker-2".into(),
    });
    assert!(again.unwrap_err().to_string().contains("no planned crash"));
    spared.seek(Instant::from_millis(8_000));
    let running = |t: &Timeline| format!("{:?}", t.sim().consumer_views());
    assert!(
        !running(&spared).contains("Crashed"),
        "{}",
        running(&spared)
    );
    // After the crash, calling off the (none left) crashes is refused, and the restart at
    // 7 s still comes.
    t.seek(Instant::from_millis(5_000));
    assert!(
        t.apply(&Action::CancelCrashes {
            consumer: "worker-2".into()
        })
        .is_err()
    );
    t.seek(Instant::from_millis(7_500));
    assert!(!running(&t).contains("Crashed"), "{}", running(&t));
}
