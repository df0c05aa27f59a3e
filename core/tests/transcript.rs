//! Transcript tests of queues, routing and pub/sub: a script of commands at given times → the
//! expected event list, one file each in `transcripts/` (named as the test). The reference
//! semantics are SEMANTICS.md's ("Queues", "Routing", "Pub/sub"). The script language, the file
//! format and blessing (`BLESS=1` rewrites the files) are described in `support/mod.rs`. Every
//! transcript runs on each storage backend (`memory::*`, `file::*` flushed after every line,
//! `killed::*`) with the same expected transcript.

mod support;

use support::backend;

on_every_backend! {
    transcript:
        round_robin_ack_errors_crash_and_requeue,
        max_deliveries_and_reject_dead_letter_with_reason,
        queue_and_message_ttl_lower_wins_and_expired_is_never_delivered,
        max_length_drop_head_dead_letters_and_reject_publish_refuses,
        visibility_timeout_requeues_unacked_delivery,
        topic_fanout_direct_routing_unbind_and_unroutable,
        pubsub_sees_only_later_messages_and_reports_lag,
        purge_keeps_unacked_and_delete_drops_everything;
}
