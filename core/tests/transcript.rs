//! Transcript tests: a script of commands at given times → the expected event list.
//! The reference semantics are DESIGN.md's ("Queues", "Routing", "Pub/Sub").
//! The script language is described in `support/mod.rs`. Every script runs on both storage
//! backends, `MemoryStorage` and `FileStorage` (flushed after every line), with the same
//! expected transcript.

mod support;

use support::check;

/// Round-robin with prefetch 1, acking twice or an unknown tag fails, a crash requeues, nack requeues with redelivered and count + 1.
#[test]
fn round_robin_ack_errors_crash_and_requeue() {
    check(
        r"
        @0 queue work
        @0 consume work alice prefetch=1
        @0 consume work bob prefetch=1
        @0 publish - work m1
        @0 publish - work m2
        @0 publish - work m3
        @1 ack alice d1
        @1 ack alice d1
        @1 ack alice d99
        @2 crash bob
        @3 nack alice d3 requeue
        @4 restart bob
        ",
        r#"
        > @0 queue work
          queue-declared q1
        > @0 consume work alice prefetch=1
          consumer-added c1 q1
        > @0 consume work bob prefetch=1
          consumer-added c2 q1
        > @0 publish - work m1
          published m1 x0
          routed m1 x0->q1
          enqueued m1 q1@0
          delivered m1 q1->c1 d1 "m1"
        > @0 publish - work m2
          published m2 x0
          routed m2 x0->q1
          enqueued m2 q1@1
          delivered m2 q1->c2 d2 "m2"
        > @0 publish - work m3
          published m3 x0
          routed m3 x0->q1
          enqueued m3 q1@2
        > @1 ack alice d1
          acked m1 c1 d1
          delivered m3 q1->c1 d3 "m3"
        > @1 ack alice d1
          ! ack: delivery d1 is not outstanding for this consumer
        > @1 ack alice d99
          ! ack: delivery d99 was never made
        > @2 crash bob
          consumer-crashed c2 q1
          requeued m2 q1 from c2 d2 (crashed)
        > @3 nack alice d3 requeue
          nacked m3 c1 d3 requeue
          requeued m3 q1 from c1 d3 (nacked)
          delivered m2 q1->c1 d4 redelivered n=2 "m2"
        > @4 restart bob
          consumer-restarted c2 q1
          delivered m3 q1->c2 d5 redelivered n=2 "m3"
        "#,
    );
}

/// max_deliveries and reject without requeue move the message to the dead-letter queue with the reason.
#[test]
fn max_deliveries_and_reject_dead_letter_with_reason() {
    check(
        r"
        @0 queue dead
        @0 queue work max_deliveries=2 dlq=dead
        @0 consume work w prefetch=1
        @0 publish - work a
        @0 publish - work b
        @1 nack w d1 requeue
        @2 nack w d2 requeue
        @3 reject w d3
        @4 cancel w
        @4 consume dead d
        ",
        r#"
        > @0 queue dead
          queue-declared q1
        > @0 queue work max_deliveries=2 dlq=dead
          queue-declared q2
        > @0 consume work w prefetch=1
          consumer-added c1 q2
        > @0 publish - work a
          published m1 x0
          routed m1 x0->q2
          enqueued m1 q2@0
          delivered m1 q2->c1 d1 "a"
        > @0 publish - work b
          published m2 x0
          routed m2 x0->q2
          enqueued m2 q2@1
        > @1 nack w d1 requeue
          nacked m1 c1 d1 requeue
          requeued m1 q2 from c1 d1 (nacked)
          delivered m1 q2->c1 d2 redelivered n=2 "a"
        > @2 nack w d2 requeue
          nacked m1 c1 d2 requeue
          dead-lettered m1 q2->q1 (delivery_limit)
          delivered m2 q2->c1 d3 "b"
          enqueued m1 q1@0
        > @3 reject w d3
          nacked m2 c1 d3
          dead-lettered m2 q2->q1 (rejected)
          enqueued m2 q1@1
        > @4 cancel w
          consumer-cancelled c1 q2
        > @4 consume dead d
          consumer-added c2 q1
          delivered m1 q1->c2 d4 "a"
          delivered m2 q1->c2 d5 "b"
        "#,
    );
}

/// Queue TTL 100 and per-message TTL: the lower wins; heads expire on handle_timeout; a TTL-0 message is never delivered.
#[test]
fn queue_and_message_ttl_lower_wins_and_expired_is_never_delivered() {
    check(
        r"
        @0 queue q ttl=100
        @0 publish - q a
        @10 publish - q b ttl=50
        @10 publish - q c ttl=500
        @10 tick
        @60 tick
        @100 tick
        @100 consume q c1
        @109 tick
        @110 tick
        @110 publish - q late ttl=0
        @110 consume q c2
        ",
        r#"
        > @0 queue q ttl=100
          queue-declared q1
        > @0 publish - q a
          published m1 x0
          routed m1 x0->q1
          enqueued m1 q1@0
        > @10 publish - q b ttl=50
          published m2 x0
          routed m2 x0->q1
          enqueued m2 q1@1
        > @10 publish - q c ttl=500
          published m3 x0
          routed m3 x0->q1
          enqueued m3 q1@2
        > @10 tick
          next timeout t=100ms
        > @60 tick
          next timeout t=100ms
        > @100 tick
          expired m1 q1
          dropped m1 q1 (expired)
          expired m2 q1
          dropped m2 q1 (expired)
          next timeout t=110ms
        > @100 consume q c1
          consumer-added c1 q1
          delivered m3 q1->c1 d1 "c"
        > @109 tick
          no timeout
        > @110 tick
          no timeout
        > @110 publish - q late ttl=0
          published m4 x0
          routed m4 x0->q1
          enqueued m4 q1@3
          expired m4 q1
          dropped m4 q1 (expired)
        > @110 consume q c2
          consumer-added c2 q1
        "#,
    );
}

/// max_length counts ready messages only; drop-head dead-letters the oldest; reject-publish refuses the new one.
#[test]
fn max_length_drop_head_dead_letters_and_reject_publish_refuses() {
    check(
        r"
        @0 queue dl
        @0 queue q max_length=2 dlq=dl
        @0 queue r max_length=1 overflow=reject
        @0 publish - q a
        @0 publish - q b
        @0 publish - q c
        @0 publish - r x
        @0 publish - r y
        @0 consume r rc prefetch=1
        @0 publish - r z
        @0 publish - r w
        ",
        r#"
        > @0 queue dl
          queue-declared q1
        > @0 queue q max_length=2 dlq=dl
          queue-declared q2
        > @0 queue r max_length=1 overflow=reject
          queue-declared q3
        > @0 publish - q a
          published m1 x0
          routed m1 x0->q2
          enqueued m1 q2@0
        > @0 publish - q b
          published m2 x0
          routed m2 x0->q2
          enqueued m2 q2@1
        > @0 publish - q c
          published m3 x0
          routed m3 x0->q2
          enqueued m3 q2@2
          dead-lettered m1 q2->q1 (maxlen)
          enqueued m1 q1@0
        > @0 publish - r x
          published m4 x0
          routed m4 x0->q3
          enqueued m4 q3@0
        > @0 publish - r y
          published m5 x0
          routed m5 x0->q3
          rejected m5 q3
          ! publish: queue q3 is full and rejected m5
        > @0 consume r rc prefetch=1
          consumer-added c1 q3
          delivered m4 q3->c1 d1 "x"
        > @0 publish - r z
          published m6 x0
          routed m6 x0->q3
          enqueued m6 q3@1
        > @0 publish - r w
          published m7 x0
          routed m7 x0->q3
          rejected m7 q3
          ! publish: queue q3 is full and rejected m7
        "#,
    );
}

/// An SQS-style visibility timeout requeues a delivery not acked in time; the old tag is no longer valid.
#[test]
fn visibility_timeout_requeues_unacked_delivery() {
    check(
        r"
        @0 queue q visibility=30 max_deliveries=2
        @0 consume q a prefetch=1
        @0 publish - q m
        @10 tick
        @30 tick
        @40 ack a d2
        @60 tick
        @61 ack a d2
        ",
        r#"
        > @0 queue q visibility=30 max_deliveries=2
          queue-declared q1
        > @0 consume q a prefetch=1
          consumer-added c1 q1
        > @0 publish - q m
          published m1 x0
          routed m1 x0->q1
          enqueued m1 q1@0
          delivered m1 q1->c1 d1 "m"
        > @10 tick
          next timeout t=30ms
        > @30 tick
          requeued m1 q1 from c1 d1 (visibility_timeout)
          delivered m1 q1->c1 d2 redelivered n=2 "m"
          next timeout t=60ms
        > @40 ack a d2
          acked m1 c1 d2
        > @60 tick
          no timeout
        > @61 ack a d2
          ! ack: delivery d2 is not outstanding for this consumer
        "#,
    );
}

/// Topic, fanout and direct routing; a queue bound twice gets one copy; unbind; unknown names are errors.
#[test]
fn topic_fanout_direct_routing_unbind_and_unroutable() {
    check(
        r"
        @0 exchange logs topic
        @0 exchange fan fanout
        @0 exchange dir direct
        @0 queue errors
        @0 queue all
        @0 queue q3
        @0 bind logs errors *.error
        @0 bind logs all #
        @0 bind logs all app.#
        @0 bind fan errors ignored
        @0 bind fan all ''
        @0 bind dir q3 k
        @0 bind - q3 k
        @0 publish logs app.error boom
        @0 publish logs app.info fine
        @0 publish logs '' empty
        @0 publish fan whatever f
        @0 publish dir k d1
        @0 publish dir other d2
        @0 unbind 2
        @0 publish logs db.info x
        @0 publish nope k x
        @0 publish - nope x
        ",
        r#"
        > @0 exchange logs topic
          exchange-declared x1 topic
        > @0 exchange fan fanout
          exchange-declared x2 fanout
        > @0 exchange dir direct
          exchange-declared x3 direct
        > @0 queue errors
          queue-declared q1
        > @0 queue all
          queue-declared q2
        > @0 queue q3
          queue-declared q3
        > @0 bind logs errors *.error
          bound b1 x1->q1
        > @0 bind logs all #
          bound b2 x1->q2
        > @0 bind logs all app.#
          bound b3 x1->q2
        > @0 bind fan errors ignored
          bound b4 x2->q1
        > @0 bind fan all ''
          bound b5 x2->q2
        > @0 bind dir q3 k
          bound b6 x3->q3
        > @0 bind - q3 k
          ! bind: the default exchange cannot be bound
        > @0 publish logs app.error boom
          published m1 x1
          routed m1 x1->q1 via b1
          enqueued m1 q1@0
          routed m1 x1->q2 via b2
          enqueued m1 q2@0
        > @0 publish logs app.info fine
          published m2 x1
          routed m2 x1->q2 via b2
          enqueued m2 q2@1
        > @0 publish logs '' empty
          published m3 x1
          routed m3 x1->q2 via b2
          enqueued m3 q2@2
        > @0 publish fan whatever f
          published m4 x2
          routed m4 x2->q1 via b4
          enqueued m4 q1@1
          routed m4 x2->q2 via b5
          enqueued m4 q2@3
        > @0 publish dir k d1
          published m5 x3
          routed m5 x3->q3 via b6
          enqueued m5 q3@0
        > @0 publish dir other d2
          published m6 x3
          unroutable m6 x3
        > @0 unbind 2
          unbound b2 x1->q2
        > @0 publish logs db.info x
          published m7 x1
          unroutable m7 x1
        > @0 publish nope k x
          ! publish: unknown exchange
        > @0 publish - nope x
          ! publish: no queue is named by the routing key
        "#,
    );
}

/// A subscriber sees only what is published after it subscribed; a full inbox overwrites the oldest and reports Lagged(n).
#[test]
fn pubsub_sees_only_later_messages_and_reports_lag() {
    check(
        r"
        @0 exchange news fanout
        @0 publish news '' before
        @0 subscribe news '' alice capacity=2
        @0 publish news '' n1
        @0 subscribe news '' bob capacity=8
        @0 publish news '' n2
        @0 publish news '' n3
        @0 publish news '' n4
        @1 receive alice
        @1 receive alice
        @1 receive alice
        @1 receive alice
        @1 receive bob
        @2 unsubscribe bob
        @2 publish news '' n5
        @2 subscribe - '' carol
        @2 subscribe news '' alice
        ",
        r#"
        > @0 exchange news fanout
          exchange-declared x1 fanout
        > @0 publish news '' before
          published m1 x1
          unroutable m1 x1
        > @0 subscribe news '' alice capacity=2
          subscribed s1
          bound b1 x1->s1
        > @0 publish news '' n1
          published m2 x1
          routed m2 x1->s1 via b1
          buffered m2 s1
        > @0 subscribe news '' bob capacity=8
          subscribed s2
          bound b2 x1->s2
        > @0 publish news '' n2
          published m3 x1
          routed m3 x1->s1 via b1
          buffered m3 s1
          routed m3 x1->s2 via b2
          buffered m3 s2
        > @0 publish news '' n3
          published m4 x1
          routed m4 x1->s1 via b1
          lagged m2 s1 missed=1
          buffered m4 s1
          routed m4 x1->s2 via b2
          buffered m4 s2
        > @0 publish news '' n4
          published m5 x1
          routed m5 x1->s1 via b1
          lagged m3 s1 missed=2
          buffered m5 s1
          routed m5 x1->s2 via b2
          buffered m5 s2
        > @1 receive alice
          = lagged 2
        > @1 receive alice
          = m4 "n3"
          received m4 s1
        > @1 receive alice
          = m5 "n4"
          received m5 s1
        > @1 receive alice
          = empty
        > @1 receive bob
          = m3 "n2"
          received m3 s2
        > @2 unsubscribe bob
          unbound b2 x1->s2
          unsubscribed s2
        > @2 publish news '' n5
          published m6 x1
          routed m6 x1->s1 via b1
          buffered m6 s1
        > @2 subscribe - '' carol
          ! subscribe: the default exchange cannot be bound
        > @2 subscribe news '' alice
          ! subscribe: subscription name already used by s1
        "#,
    );
}

/// Purge removes ready messages only; delete drops everything and cancels consumers.
#[test]
fn purge_keeps_unacked_and_delete_drops_everything() {
    check(
        r"
        @0 queue q
        @0 consume q c prefetch=1
        @0 publish - q a
        @0 publish - q b
        @0 publish - q c
        @1 purge q
        @1 ack c d1
        @2 publish - q d
        @3 delete q
        @3 ack c d2
        @3 publish - q e
        ",
        r#"
        > @0 queue q
          queue-declared q1
        > @0 consume q c prefetch=1
          consumer-added c1 q1
        > @0 publish - q a
          published m1 x0
          routed m1 x0->q1
          enqueued m1 q1@0
          delivered m1 q1->c1 d1 "a"
        > @0 publish - q b
          published m2 x0
          routed m2 x0->q1
          enqueued m2 q1@1
        > @0 publish - q c
          published m3 x0
          routed m3 x0->q1
          enqueued m3 q1@2
        > @1 purge q
          dropped m2 q1 (purged)
          dropped m3 q1 (purged)
          purged q1 n=2
        > @1 ack c d1
          acked m1 c1 d1
        > @2 publish - q d
          published m4 x0
          routed m4 x0->q1
          enqueued m4 q1@3
          delivered m4 q1->c1 d2 "d"
        > @3 delete q
          dropped m4 q1 (queue_deleted)
          consumer-cancelled c1 q1
          queue-deleted q1
        > @3 ack c d2
          ! ack: unknown consumer
        > @3 publish - q e
          ! publish: no queue is named by the routing key
        "#,
    );
}
