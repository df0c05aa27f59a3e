//! The shrinker: the smallest scenario it can find that still fails.
//!
//! [`shrink`] tries, in rounds until a round changes nothing (or the budget of tries is
//! spent): a shorter run; fewer script steps (halves, quarters, … then one by one);
//! without each consumer, producer, group, stream, binding, queue and exchange (with what
//! refers to them); then simpler settings (no bursts, extra times or rate; no crashes,
//! nacks, start times; processing 0; prefetch 1; no queue limits, retention or extra
//! partitions; scripted publishes of one message). Every candidate is made valid before it
//! is tried: what still names something removed goes too (found by the validator's error
//! paths). A candidate is kept when `still_fails` says so.

use alloc::string::String;
use alloc::vec::Vec;

use crate::sim::scenario::{
    AckSpec, Action, Attach, KeySpec, ProcessingSpec, RetentionSpec, Scenario, TargetSpec,
};

/// What [`shrink`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShrinkReport {
    /// The smallest failing scenario found (the input when nothing smaller fails).
    pub scenario: Scenario,
    /// Candidates tried.
    pub tries: u32,
    /// Candidates kept.
    pub kept: u32,
}

/// Shrinks `failing` while `still_fails` holds, trying at most `max_tries` candidates.
pub fn shrink(
    failing: &Scenario,
    still_fails: &mut dyn FnMut(&Scenario) -> bool,
    max_tries: u32,
) -> ShrinkReport {
    let mut s = Shrinker {
        best: failing.clone(),
        tries: 0,
        kept: 0,
        max_tries,
        still_fails,
    };
    loop {
        let before = s.best.clone();
        s.duration();
        s.script();
        s.entities();
        s.settings();
        if s.best == before || s.tries >= s.max_tries {
            break;
        }
    }
    ShrinkReport {
        scenario: s.best,
        tries: s.tries,
        kept: s.kept,
    }
}

struct Shrinker<'a> {
    best: Scenario,
    tries: u32,
    kept: u32,
    max_tries: u32,
    still_fails: &'a mut dyn FnMut(&Scenario) -> bool,
}

impl Shrinker<'_> {
    /// Tries a candidate (made valid first); keeps it if it still fails.
    fn attempt(&mut self, candidate: Scenario) -> bool {
        if self.tries >= self.max_tries {
            return false;
        }
        let Some(c) = repair(candidate) else {
            return false;
        };
        if c == self.best {
            return false;
        }
        self.tries += 1;
        if (self.still_fails)(&c) {
            self.best = c;
            self.kept += 1;
            true
        } else {
            false
        }
    }

    /// Tries `edit` on a copy of the best scenario.
    fn try_edit(&mut self, edit: impl FnOnce(&mut Scenario) -> bool) -> bool {
        let mut c = self.best.clone();
        edit(&mut c) && self.attempt(c)
    }

    fn duration(&mut self) {
        for div in [8, 4, 2] {
            let d = (self.best.duration_ms / div).max(1);
            if d < self.best.duration_ms && self.try_edit(|s| clip(s, d)) {
                return;
            }
        }
        let d = self.best.duration_ms * 3 / 4;
        if d >= 1 && d < self.best.duration_ms {
            self.try_edit(|s| clip(s, d));
        }
    }

    fn script(&mut self) {
        let mut chunk = self.best.script.len().div_ceil(2).max(1);
        loop {
            let mut start = 0;
            while start < self.best.script.len() {
                let end = (start + chunk).min(self.best.script.len());
                if !self.try_edit(|s| {
                    s.script.drain(start..end);
                    true
                }) {
                    start += chunk;
                }
            }
            if chunk == 1 {
                break;
            }
            chunk = chunk.div_ceil(2);
        }
    }

    fn entities(&mut self) {
        let mut i = self.best.consumers.len();
        while i > 0 {
            i -= 1;
            let name = self.best.consumers[i].name.clone();
            self.try_edit(|s| remove_consumer(s, &name));
        }
        let mut i = self.best.producers.len();
        while i > 0 {
            i -= 1;
            let name = self.best.producers[i].name.clone();
            self.try_edit(|s| {
                s.producers.retain(|p| p.name != name);
                s.script.retain(
                    |st| !matches!(&st.action, Action::SetRate { producer, .. } if *producer == name),
                );
                true
            });
        }
        let mut i = self.best.topology.groups.len();
        while i > 0 {
            i -= 1;
            let name = self.best.topology.groups[i].name.clone();
            self.try_edit(|s| {
                s.topology.groups.retain(|g| g.name != name);
                let members: Vec<String> =
                    consumers_where(s, |a| matches!(a, Attach::Group(g) if *g == name));
                members.iter().for_each(|m| {
                    remove_consumer(s, m);
                });
                true
            });
        }
        let mut i = self.best.topology.share_groups.len();
        while i > 0 {
            i -= 1;
            let name = self.best.topology.share_groups[i].name.clone();
            self.try_edit(|s| remove_share_group(s, &name));
        }
        let mut i = self.best.topology.bindings.len();
        while i > 0 {
            i -= 1;
            self.try_edit(|s| {
                if i < s.topology.bindings.len() {
                    s.topology.bindings.remove(i);
                }
                true
            });
        }
        let mut i = self.best.topology.streams.len();
        while i > 0 {
            i -= 1;
            let name = self.best.topology.streams[i].name.clone();
            self.try_edit(|s| remove_stream(s, &name));
        }
        let mut i = self.best.topology.queues.len();
        while i > 0 {
            i -= 1;
            let name = self.best.topology.queues[i].name.clone();
            self.try_edit(|s| remove_queue(s, &name));
        }
        let mut i = self.best.topology.exchanges.len();
        while i > 0 {
            i -= 1;
            let name = self.best.topology.exchanges[i].name.clone();
            self.try_edit(|s| remove_exchange(s, &name));
        }
    }

    fn settings(&mut self) {
        for i in 0..self.best.producers.len() {
            self.try_edit(|s| take(&mut s.producers[i].bursts));
            self.try_edit(|s| take(&mut s.producers[i].times_ms));
            self.try_edit(|s| set(&mut s.producers[i].rate_per_sec, 0));
            let rate = self.best.producers.get(i).map_or(0, |p| p.rate_per_sec);
            if rate > 1 {
                self.try_edit(|s| set(&mut s.producers[i].rate_per_sec, rate / 2));
            }
            let bursts = self.best.producers.get(i).map_or(0, |p| p.bursts.len());
            for b in 0..bursts {
                self.try_edit(|s| {
                    let c = &mut s.producers[i].bursts[b].count;
                    let half = (*c / 2).max(1);
                    set(c, half)
                });
            }
            self.try_edit(|s| set(&mut s.producers[i].start_ms, 0));
            self.try_edit(|s| set(&mut s.producers[i].stop_ms, None));
            self.try_edit(|s| set(&mut s.producers[i].keys, KeySpec::None));
        }
        for i in 0..self.best.consumers.len() {
            self.try_edit(|s| take(&mut s.consumers[i].crashes));
            self.try_edit(|s| set(&mut s.consumers[i].nack, None));
            self.try_edit(|s| set(&mut s.consumers[i].start_ms, 0));
            self.try_edit(|s| set(&mut s.consumers[i].processing, ProcessingSpec::Fixed(0)));
            self.try_edit(|s| set(&mut s.consumers[i].prefetch, 1));
            self.try_edit(|s| set(&mut s.consumers[i].ack, AckSpec::AfterProcessing));
        }
        for i in 0..self.best.topology.queues.len() {
            self.try_edit(|s| set(&mut s.topology.queues[i].max_length, None));
            self.try_edit(|s| set(&mut s.topology.queues[i].message_ttl_ms, None));
            self.try_edit(|s| set(&mut s.topology.queues[i].max_deliveries, None));
            self.try_edit(|s| set(&mut s.topology.queues[i].visibility_timeout_ms, None));
            self.try_edit(|s| set(&mut s.topology.queues[i].dead_letter_queue, None));
        }
        for i in 0..self.best.topology.streams.len() {
            self.try_edit(|s| {
                set(
                    &mut s.topology.streams[i].retention,
                    RetentionSpec::default(),
                )
            });
            self.try_edit(|s| set(&mut s.topology.streams[i].partitions, 1));
        }
        for i in 0..self.best.topology.groups.len() {
            self.try_edit(|s| {
                let streams = &mut s.topology.groups[i].streams;
                let before = streams.len();
                streams.truncate(1);
                streams.len() != before
            });
            self.try_edit(|s| {
                set(
                    &mut s.topology.groups[i].protocol,
                    crate::group::GroupProtocol::Classic,
                )
            });
            self.try_edit(|s| set(&mut s.topology.groups[i].rebalance_timeout_ms, None));
            self.try_edit(|s| set(&mut s.topology.groups[i].initial_rebalance_delay_ms, None));
        }
        for i in 0..self.best.script.len() {
            self.try_edit(|s| match &mut s.script[i].action {
                Action::Publish { count, .. } if *count > 1 => set(count, 1),
                Action::Publish { headers, .. } => take(headers),
                _ => false,
            });
        }
    }
}

/// Sets `slot` to `value`; says whether that changed it.
fn set<T: PartialEq>(slot: &mut T, value: T) -> bool {
    let changed = *slot != value;
    *slot = value;
    changed
}

/// Empties a list; says whether it had anything.
fn take<T>(list: &mut Vec<T>) -> bool {
    let had = !list.is_empty();
    list.clear();
    had
}

/// The run ends at `d`: what lies beyond goes, what starts beyond starts at `d`.
fn clip(s: &mut Scenario, d: u64) -> bool {
    s.duration_ms = d;
    s.script.retain(|st| st.at_ms <= d);
    for p in &mut s.producers {
        p.times_ms.retain(|&t| t <= d);
        p.bursts.retain(|b| b.at_ms <= d);
        p.start_ms = p.start_ms.min(d);
        p.stop_ms = p.stop_ms.map(|t| t.min(d));
    }
    for c in &mut s.consumers {
        c.start_ms = c.start_ms.min(d);
        c.crashes.retain(|x| x.at_ms <= d);
        for x in &mut c.crashes {
            x.restart_at_ms = x.restart_at_ms.filter(|&r| r <= d);
        }
    }
    true
}

fn consumers_where(s: &Scenario, f: impl Fn(&Attach) -> bool) -> Vec<String> {
    let scripted = s.script.iter().filter_map(|st| match &st.action {
        Action::AddConsumer(c) => Some(c),
        _ => None,
    });
    s.consumers
        .iter()
        .chain(scripted)
        .filter(|c| f(&c.attach))
        .map(|c| c.name.clone())
        .collect()
}

/// Removes a consumer and every script step naming it.
fn remove_consumer(s: &mut Scenario, name: &str) -> bool {
    s.consumers.retain(|c| c.name != name);
    s.script.retain(|st| match &st.action {
        Action::Crash { consumer }
        | Action::Restart { consumer }
        | Action::CancelCrashes { consumer }
        | Action::RemoveConsumer { consumer }
        | Action::Seek { consumer, .. }
        | Action::Commit { consumer, .. } => consumer != name,
        Action::AddConsumer(c) => c.name != name,
        _ => true,
    });
    true
}

fn targets(
    t: &TargetSpec,
    queue: Option<&str>,
    exchange: Option<&str>,
    stream: Option<&str>,
) -> bool {
    match t {
        TargetSpec::Queue(q) => Some(q.as_str()) == queue,
        TargetSpec::Exchange { exchange: x, .. } => Some(x.as_str()) == exchange,
        TargetSpec::Stream(st) => Some(st.as_str()) == stream,
    }
}

/// Removes what sends to a target and the scripted publishes to it.
fn remove_senders(
    s: &mut Scenario,
    queue: Option<&str>,
    exchange: Option<&str>,
    stream: Option<&str>,
) {
    s.producers
        .retain(|p| !targets(&p.target, queue, exchange, stream));
    s.script.retain(|st| match &st.action {
        Action::Publish { target, .. } => !targets(target, queue, exchange, stream),
        _ => true,
    });
}

fn remove_queue(s: &mut Scenario, name: &str) -> bool {
    s.topology.queues.retain(|q| q.name != name);
    for q in &mut s.topology.queues {
        if q.dead_letter_queue.as_deref() == Some(name) {
            q.dead_letter_queue = None;
        }
    }
    s.topology.bindings.retain(|b| b.queue != name);
    s.script.retain(|st| match &st.action {
        Action::Bind(b) | Action::Unbind(b) => b.queue != name,
        _ => true,
    });
    remove_senders(s, Some(name), None, None);
    for c in consumers_where(s, |a| matches!(a, Attach::Queue(q) if q == name)) {
        remove_consumer(s, &c);
    }
    true
}

fn remove_exchange(s: &mut Scenario, name: &str) -> bool {
    s.topology.exchanges.retain(|x| x.name != name);
    s.topology.bindings.retain(|b| b.exchange != name);
    s.script.retain(|st| match &st.action {
        Action::Bind(b) | Action::Unbind(b) => b.exchange != name,
        _ => true,
    });
    remove_senders(s, None, Some(name), None);
    for c in consumers_where(
        s,
        |a| matches!(a, Attach::Subscription { exchange, .. } if exchange == name),
    ) {
        remove_consumer(s, &c);
    }
    true
}

fn remove_stream(s: &mut Scenario, name: &str) -> bool {
    s.topology.streams.retain(|st| st.name != name);
    let groups: Vec<String> = s
        .topology
        .groups
        .iter()
        .filter(|g| g.streams.iter().any(|st| st == name))
        .map(|g| g.name.clone())
        .collect();
    s.topology.groups.retain(|g| !groups.contains(&g.name));
    let share_groups: Vec<String> = (s.topology.share_groups.iter())
        .filter(|g| g.streams.iter().any(|st| st == name))
        .map(|g| g.name.clone())
        .collect();
    for g in &share_groups {
        remove_share_group(s, g);
    }
    s.script
        .retain(|st| !matches!(&st.action, Action::AddPartitions { stream, .. } if stream == name));
    remove_senders(s, None, None, Some(name));
    for c in consumers_where(s, |a| match a {
        Attach::Stream { stream, .. } => stream == name,
        Attach::Group(g) => groups.contains(g),
        _ => false,
    }) {
        remove_consumer(s, &c);
    }
    true
}

/// Removes share group `name` and its members.
fn remove_share_group(s: &mut Scenario, name: &str) -> bool {
    s.topology.share_groups.retain(|g| g.name != name);
    for m in consumers_where(s, |a| matches!(a, Attach::ShareGroup(g) if g == name)) {
        remove_consumer(s, &m);
    }
    true
}

/// The index in `path` right after `prefix` (`script[4].action…` → 4).
fn index_after(path: &str, prefix: &str) -> Option<usize> {
    let rest = path.strip_prefix(prefix)?.strip_prefix('[')?;
    rest[..rest.find(']')?].parse().ok()
}

/// Makes a candidate valid by removing what the validator names, or gives up.
fn repair(mut s: Scenario) -> Option<Scenario> {
    for _ in 0..512 {
        let Err(e) = s.validate() else {
            return Some(s);
        };
        let path = e.path();
        if let Some(i) = index_after(path, "script") {
            s.script.remove(i);
        } else if let Some(i) = index_after(path, "consumers") {
            let name = s.consumers.get(i)?.name.clone();
            remove_consumer(&mut s, &name);
        } else if let Some(i) = index_after(path, "producers") {
            s.producers.remove(i);
        } else if let Some(i) = index_after(path, "topology.bindings") {
            s.topology.bindings.remove(i);
        } else if let Some(i) = index_after(path, "topology.groups") {
            s.topology.groups.remove(i);
        } else if path.ends_with(".dead_letter_queue") {
            let i = index_after(path, "topology.queues")?;
            s.topology.queues.get_mut(i)?.dead_letter_queue = None;
        } else {
            return None;
        }
    }
    None
}
