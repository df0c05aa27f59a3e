//! Script and user actions: [`Simulation::apply`] and why it refuses ([`ActionError`]).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::ids::{Offset, StreamConsumerId, StreamId, Target};
use crate::sim::ScenarioError;
use crate::sim::metrics::{ConsumerStatus, SimConsumerId, SimProducerId};
use crate::sim::scenario::{Action, ResetSpec, SeekSpec};
use crate::storage::Storage;
use crate::stream::{SeekTo, StreamPartition};
use crate::time::Instant;
use crate::{ResetPlan, ResetScope};

use super::consumers::{Handle, Work};
use super::events::SimNote;
use super::producers::{routing_template, send, send_with_headers};
use super::template::{parse_template, render, render_string};
use super::{NS_PER_MS, Simulation};
/// Why [`Simulation::apply`] refused an action.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ActionError {
    /// The action names something that does not exist, or breaks a bound (path-named).
    Invalid(ScenarioError),
    /// The action does not apply to this consumer or its state.
    NotApplicable(String),
    /// The broker refused it.
    Broker(String),
}

impl core::fmt::Display for ActionError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            ActionError::Invalid(e) => write!(f, "invalid action: {e}"),
            ActionError::NotApplicable(m) => write!(f, "not applicable: {m}"),
            ActionError::Broker(m) => write!(f, "refused by the broker: {m}"),
        }
    }
}

impl core::error::Error for ActionError {}

impl<S: Storage> Simulation<S> {
    /// Applies a user action at the current time, as the script would: checked against the
    /// scenario's names and bounds first (a bad action changes nothing), then run; its
    /// events come with the next step's. Consumers added here can be referred to by later
    /// actions.
    pub fn apply(&mut self, action: &Action) -> Result<(), ActionError> {
        let known: Vec<&str> = self.consumer_names.keys().map(String::as_str).collect();
        crate::sim::validate::check_action_names(&self.scenario, &known, action)
            .map_err(ActionError::Invalid)?;
        self.apply_now(action)?;
        self.work_all(self.now.as_millis());
        Ok(())
    }

    fn consumer_index(&self, name: &str) -> Result<usize, ActionError> {
        self.consumer_names
            .get(name)
            .copied()
            .ok_or_else(|| ActionError::NotApplicable(format!("unknown consumer \"{name}\"")))
    }

    /// The index of consumer `name` if it is in `status`; otherwise says it `otherwise`.
    fn consumer_in(
        &self,
        name: &str,
        status: ConsumerStatus,
        otherwise: &str,
    ) -> Result<usize, ActionError> {
        let i = self.consumer_index(name)?;
        if self.consumers[i].status != status {
            return Err(ActionError::NotApplicable(format!(
                "\"{name}\" {otherwise}"
            )));
        }
        Ok(i)
    }

    fn stream_of(&self, i: usize) -> Option<(StreamConsumerId, StreamId)> {
        match self.consumers[i].handle {
            Handle::Stream {
                stream,
                id: Some(id),
            } => Some((id, stream)),
            Handle::Group {
                group,
                id: Some(id),
            } => self.groups[group]
                .streams
                .first()
                .and_then(|s| self.broker.stream_id(s))
                .map(|s| (id, s)),
            _ => None,
        }
    }

    pub(super) fn apply_now(&mut self, action: &Action) -> Result<(), ActionError> {
        let now = self.now;
        let t = now.as_millis();
        match action {
            Action::Publish {
                target,
                key,
                payload,
                count,
                headers,
            } => {
                let pieces = parse_template(payload);
                let routing = routing_template(target);
                let key = key.clone().unwrap_or_default();
                let stream_key = (!key.is_empty()).then_some(key.as_bytes());
                for n in 0..u64::from(*count) {
                    let mut body = Vec::new();
                    render(&mut body, &pieces, n, &key, "script", t);
                    let routing_key = || render_string(&routing, n, &key, "script", t);
                    let id = self.broker.next_message_id();
                    let result = if headers.is_empty() {
                        send(
                            &mut self.broker,
                            now,
                            target,
                            None,
                            routing_key,
                            stream_key,
                            body,
                        )
                    } else {
                        send_with_headers(
                            &mut self.broker,
                            now,
                            target,
                            routing_key,
                            stream_key,
                            body,
                            headers,
                        )
                    };
                    if self.options.trace && !key.is_empty() && result.is_ok() {
                        self.remember_key(id, key.as_bytes());
                    }
                    #[cfg(feature = "stories")]
                    if result.is_ok() {
                        // By hand (or the scenario's script): no producer; a routing key for
                        // an exchange only.
                        let rk = matches!(target, crate::sim::TargetSpec::Exchange { .. })
                            .then(|| render_string(&routing, n, &key, "script", t));
                        self.story_published(id, None, rk);
                    }
                    self.after_publish(None, result);
                }
                Ok(())
            }
            Action::Crash { consumer } => {
                let i = self.consumer_in(consumer, ConsumerStatus::Running, "is not running")?;
                self.crash(i);
                Ok(())
            }
            Action::Restart { consumer } => {
                let i = self.consumer_in(consumer, ConsumerStatus::Crashed, "has not crashed")?;
                self.restart(i);
                Ok(())
            }
            Action::CancelCrashes { consumer } => {
                let i = self.consumer_index(consumer)?;
                let c = &mut self.consumers[i];
                let planned = c.lifecycle.iter().filter(|(_, crash)| *crash).count();
                if planned == 0 {
                    return Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" has no planned crash left"
                    )));
                }
                // A crashed consumer keeps the restart of the crash it is in.
                let keep = usize::from(matches!(c.lifecycle.front(), Some((_, false))));
                c.lifecycle.truncate(keep);
                Ok(())
            }
            Action::AddConsumer(spec) => {
                if self.consumer_names.contains_key(&spec.name) {
                    return Err(ActionError::NotApplicable(format!(
                        "a consumer \"{}\" exists",
                        spec.name
                    )));
                }
                let mut spec = spec.clone();
                spec.start_ms = t;
                spec.crashes.clear();
                let i = self.add_consumer_slot(spec, t);
                self.note(SimNote::ConsumerAdded {
                    consumer: SimConsumerId(i as u32),
                });
                self.start_consumer(i);
                Ok(())
            }
            Action::RemoveConsumer { consumer } => {
                let i = self.consumer_index(consumer)?;
                if self.consumers[i].status == ConsumerStatus::Removed {
                    return Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" was removed"
                    )));
                }
                self.remove(i);
                Ok(())
            }
            Action::Seek {
                consumer,
                partition,
                to,
            } => {
                let i = self.consumer_index(consumer)?;
                let (id, stream) = self.stream_of(i).ok_or_else(|| {
                    ActionError::NotApplicable(format!(
                        "\"{consumer}\" is not a connected stream consumer"
                    ))
                })?;
                let to = match *to {
                    SeekSpec::Beginning => SeekTo::Beginning,
                    SeekSpec::End => SeekTo::End,
                    SeekSpec::Offset(o) => SeekTo::Offset(Offset(o)),
                    SeekSpec::TimestampMs(ms) => SeekTo::Timestamp(Instant::from_millis(ms)),
                };
                let result = match partition {
                    Some(p) => self
                        .broker
                        .seek(now, id, StreamPartition::new(stream, *p), to)
                        .map(|_| ()),
                    None => self.broker.seek_all(now, id, to),
                };
                self.epoch += 1;
                self.consumers[i].stalled = false;
                self.retain_work(i, |w| match (w, partition) {
                    (Work::Record { partition: wp, .. }, Some(p)) => wp.partition.0 != *p,
                    (Work::Record { .. }, None) => false,
                    _ => true,
                });
                self.drain();
                result.map_err(|e| ActionError::Broker(e.to_string()))
            }
            Action::Commit { consumer, offsets } => {
                let i = self.consumer_index(consumer)?;
                match (self.consumers[i].handle, offsets) {
                    (Handle::Queue { .. }, None) => {
                        self.ack_processed(i);
                        Ok(())
                    }
                    (Handle::Stream { .. } | Handle::Group { .. }, _) => {
                        let explicit = match offsets {
                            Some(list) => {
                                let (_, stream) = self.stream_of(i).ok_or_else(|| {
                                    ActionError::NotApplicable(format!(
                                        "\"{consumer}\" is not connected"
                                    ))
                                })?;
                                Some(
                                    list.iter()
                                        .map(|o| {
                                            (
                                                StreamPartition::new(stream, o.partition),
                                                Offset(o.offset),
                                            )
                                        })
                                        .collect(),
                                )
                            }
                            None => None,
                        };
                        self.commit_processed(i, explicit);
                        Ok(())
                    }
                    _ => Err(ActionError::NotApplicable(format!(
                        "\"{consumer}\" cannot commit offsets"
                    ))),
                }
            }
            Action::Bind(b) => {
                self.broker
                    .bind(now, b.exchange.as_str(), b.queue.as_str(), &b.key)
                    .map_err(|e| ActionError::Broker(e.to_string()))?;
                self.drain();
                Ok(())
            }
            Action::Unbind(b) => {
                let x = self.broker.exchange_id(&b.exchange);
                let q = self.broker.queue_id(&b.queue);
                let binding = x.zip(q).and_then(|(x, q)| {
                    self.broker
                        .bindings(x)
                        .find(|info| info.target == Target::Queue(q) && info.key == b.key)
                        .map(|info| info.id)
                });
                let binding = binding.ok_or_else(|| {
                    ActionError::NotApplicable(format!(
                        "no binding {} -> {} with key \"{}\"",
                        b.exchange, b.queue, b.key
                    ))
                })?;
                self.broker
                    .unbind(now, binding)
                    .map_err(|e| ActionError::Broker(e.to_string()))?;
                self.drain();
                Ok(())
            }
            Action::SetRate {
                producer,
                rate_per_sec,
            } => {
                let p = self
                    .producers
                    .iter()
                    .position(|p| p.name == *producer)
                    .ok_or_else(|| {
                        ActionError::NotApplicable(format!("unknown producer \"{producer}\""))
                    })?;
                let pr = &mut self.producers[p];
                pr.rate = *rate_per_sec;
                pr.next_ns = if pr.rate == 0 {
                    u64::MAX
                } else {
                    let start = self.scenario.producers[p].start_ms.max(t);
                    let gap = if start > t { 0 } else { pr.gap_ns() };
                    start.saturating_mul(NS_PER_MS).saturating_add(gap)
                };
                self.note(SimNote::RateChanged {
                    producer: SimProducerId(p as u32),
                    rate_per_sec: *rate_per_sec,
                });
                Ok(())
            }
            Action::ResetOffsets {
                group,
                stream,
                partition,
                to,
            } => {
                let scope = self.reset_scope(stream.as_deref(), *partition)?;
                let result = self.broker.reset_offsets(now, group, scope, to.target());
                self.drain();
                result
                    .map(drop)
                    .map_err(|e| ActionError::Broker(e.to_string()))
            }
            Action::DeleteGroup { group } => {
                let result = self.broker.delete_group(now, group);
                if result.is_ok()
                    && let Some(g) = self.groups.iter_mut().find(|g| g.name == *group)
                {
                    g.id = None;
                    g.deleted = true;
                }
                self.drain();
                result
                    .map(drop)
                    .map_err(|e| ActionError::Broker(e.to_string()))
            }
            Action::AddPartitions { stream, count } => {
                let result = self.broker.add_partitions(now, stream.as_str(), *count);
                // New partitions change what a poll can find.
                self.epoch += 1;
                self.drain();
                result
                    .map(drop)
                    .map_err(|e| ActionError::Broker(e.to_string()))
            }
        }
    }

    /// What [`Action::ResetOffsets`] with these fields would commit, per partition, without
    /// changing anything (Kafka's `--dry-run`); refused as the action would be.
    pub fn plan_offset_reset(
        &self,
        group: &str,
        stream: Option<&str>,
        partition: Option<u32>,
        to: ResetSpec,
    ) -> Result<Vec<ResetPlan>, ActionError> {
        let scope = self.reset_scope(stream, partition)?;
        self.broker
            .plan_offset_reset(group, scope, to.target())
            .map_err(|e| ActionError::Broker(e.to_string()))
    }

    fn reset_scope(
        &self,
        stream: Option<&str>,
        partition: Option<u32>,
    ) -> Result<ResetScope, ActionError> {
        let Some(name) = stream else {
            return Ok(ResetScope::AllStreams);
        };
        let id = self
            .broker
            .stream_id(name)
            .ok_or_else(|| ActionError::NotApplicable(format!("unknown stream \"{name}\"")))?;
        Ok(match partition {
            None => ResetScope::Stream(id),
            Some(p) => ResetScope::Partition(StreamPartition::new(id, p)),
        })
    }
}
