//! Kafka's `CooperativeStickyAssignorTest`: the cases of its own.

use super::*;

#[test]
fn cooperative_assignor_with_old_version_subscriptions() {
    // CooperativeStickyAssignorTest.testAssignorWithOldVersionSubscriptions (V1 subscriptions
    // carry owned partitions without a generation)
    let input = AssignInput::new()
        .with_stream("topic1", 3)
        .with_member(C1, ["topic1"])
        .with_owned(C1, [tp("topic1", 0)])
        .with_member(C2, ["topic1"])
        .with_owned(C2, [tp("topic1", 1)]);
    let input = sub(input, C3, &["topic1"], &[], 1);
    let a = verify_both(&input);
    assert_eq!(of(&a, C1), [tp("topic1", 0)]);
    assert_eq!(of(&a, C2), [tp("topic1", 1)]);
    assert_eq!(of(&a, C3), [tp("topic1", 2)]);
}

#[test]
fn cooperative_uniform_subscription_transfer_ownership_list() {
    // CooperativeStickyAssignorTest.testUniformSubscriptionTransferOwnershipListIsRight is
    // rack-aware (two partitions move for rack alignment); without racks nothing moves.
    let input = AssignInput::new().with_stream("topic1", 4);
    let input = sub(
        input,
        "c0",
        &["topic1"],
        &[tp("topic1", 0), tp("topic1", 1)],
        1,
    );
    let input = sub(
        input,
        "c1",
        &["topic1"],
        &[tp("topic1", 2), tp("topic1", 3)],
        1,
    );
    assert!(transferring(&cooperative_sticky::plan(&input)).is_empty());
}
