//! Properties of both server-side assignors over random groups, and the serde names.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use proptest::prelude::*;

use super::super::{AssignInput, Assignment, TopicPartition};
use super::ServerAssignor;

const STREAMS: usize = 4;

/// A group of 1 to 6 members over up to 4 streams `s0`…`s3` (0 to 8 partitions each), with
/// identical subscriptions when `homogeneous` gives `true`, some subscriptions to a stream `x`
/// that does not exist, and a current assignment with claims that the assignors must clean:
/// of departed members, of unknown streams or partitions, of unsubscribed streams, and
/// duplicates.
fn group(homogeneous: impl Strategy<Value = bool>) -> impl Strategy<Value = AssignInput> {
    (
        proptest::collection::vec(0u32..9, 1..=STREAMS),
        1usize..7,
        homogeneous,
        proptest::collection::vec(0u8..32, 6),
        proptest::collection::vec((0usize..8, 0usize..=STREAMS, 0u32..10), 0..40),
    )
        .prop_map(|(counts, members, homogeneous, masks, claims)| {
            let stream = |s: usize| {
                if s < STREAMS {
                    format!("s{s}")
                } else {
                    String::from("x")
                }
            };
            let mut input = AssignInput::new();
            for (s, &count) in counts.iter().enumerate() {
                input = input.with_stream(stream(s), count);
            }
            for m in 0..members {
                let mask = if homogeneous { masks[0] } else { masks[m] };
                let subscribed = (0..=STREAMS).filter(|s| mask & (1 << s) != 0).map(stream);
                input = input.with_member(format!("m{m}"), subscribed);
            }
            let mut current: BTreeMap<String, Vec<TopicPartition>> = BTreeMap::new();
            for (m, s, p) in claims {
                let tp = TopicPartition::new(stream(s), p);
                current.entry(format!("m{m}")).or_default().push(tp);
            }
            for (m, tps) in current {
                input = input.with_owned(m, tps);
            }
            input
        })
}

/// Every partition of a stream someone subscribes to goes to exactly one of its subscribers,
/// nothing else is assigned, and every member is listed.
fn check_valid(input: &AssignInput, assignment: &Assignment) -> Result<(), TestCaseError> {
    prop_assert_eq!(assignment.len(), input.subscriptions.len());
    let owners = assignment.owners();
    prop_assert_eq!(
        owners.len(),
        assignment.assigned_count(),
        "a partition twice"
    );
    let mut expected = 0;
    for (stream, &count) in &input.partitions {
        let subscribed = input.subscriptions.values().any(|s| s.contains(stream));
        if subscribed {
            expected += count as usize;
        }
        for p in 0..count {
            let owner = owners.get(&TopicPartition::new(stream.as_str(), p));
            prop_assert_eq!(owner.is_some(), subscribed, "{}-{}", stream, p);
            if let Some(owner) = owner {
                prop_assert!(input.subscriptions[*owner].contains(stream));
            }
        }
    }
    prop_assert_eq!(assignment.assigned_count(), expected);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn both_assignors_assign_every_subscribed_partition_once_and_are_sticky(
        input in group(any::<bool>()),
    ) {
        for assignor in ServerAssignor::ALL {
            let assignment = assignor.assign(&input);
            check_valid(&input, &assignment)?;
            // Run again with its own result as the current assignment: nothing moves.
            let again = assignor.assign(&input.clone().with_previous(&assignment));
            prop_assert_eq!(&again, &assignment, "{}", assignor);
        }
    }

    #[test]
    fn uniform_balances_homogeneous_groups_within_one(input in group(Just(true))) {
        let assignment = ServerAssignor::Uniform.assign(&input);
        let sizes: Vec<usize> = assignment.iter().map(|(_, tps)| tps.len()).collect();
        let (min, max) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        prop_assert!(max - min <= 1, "{}", assignment);
    }
}

#[test]
fn names_and_serde_names_are_kafkas() {
    assert_eq!(ServerAssignor::default(), ServerAssignor::Uniform);
    assert_eq!(ServerAssignor::Uniform.name(), "uniform");
    assert_eq!(format!("{}", ServerAssignor::Range), "range");
    #[cfg(feature = "serde")]
    for assignor in ServerAssignor::ALL {
        let json = serde_json::to_string(&assignor).unwrap();
        assert_eq!(json, format!("\"{}\"", assignor.name()));
        assert_eq!(
            serde_json::from_str::<ServerAssignor>(&json).unwrap(),
            assignor
        );
    }
}
