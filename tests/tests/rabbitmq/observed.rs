//! What one side saw running a workload, in one shape for both: publisher confirms, each
//! consumer's deliveries, each subscriber's gets, each queue's messages at the end, and a
//! readable history. The Python driver writes the same fields as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A publisher confirm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Confirm {
    pub(crate) body: String,
    /// `ack` or `nack`.
    pub(crate) confirm: String,
}

/// A delivery as its consumer saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Got {
    pub(crate) body: String,
    pub(crate) redelivered: bool,
    /// How often it came back before (RabbitMQ's `x-delivery-count`, quorum queues only).
    pub(crate) delivery_count: Option<u32>,
}

/// Why and from where a message was dead-lettered (the first `x-death` entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Death {
    /// `rejected`, `expired`, `maxlen` or `delivery_limit`.
    pub(crate) reason: String,
    /// The queue it left.
    pub(crate) queue: String,
}

/// A message left in a queue at the end.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Left {
    pub(crate) body: String,
    pub(crate) redelivered: bool,
    pub(crate) delivery_count: Option<u32>,
    pub(crate) death: Option<Death>,
}

/// Everything one side observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Observed {
    pub(crate) confirms: Vec<Confirm>,
    pub(crate) deliveries: BTreeMap<String, Vec<Got>>,
    pub(crate) gets: BTreeMap<String, Vec<Option<String>>>,
    pub(crate) queues: BTreeMap<String, Vec<Left>>,
    /// Steps that could not be done (e.g. acking a message the consumer does not hold).
    pub(crate) errors: Vec<String>,
    /// Steps after which RabbitMQ did not reach Brokerlab's state in time.
    #[serde(default)]
    pub(crate) settle_failures: Vec<serde_json::Value>,
    /// Readable, in order.
    pub(crate) history: Vec<String>,
}

/// The first place two observations differ, in words; `None` when they agree.
pub(crate) fn first_difference(ours: &Observed, theirs: &Observed) -> Option<String> {
    if ours.confirms != theirs.confirms {
        return Some(format!(
            "publisher confirms differ:\n  Brokerlab {}\n  RabbitMQ  {}",
            confirms(&ours.confirms),
            confirms(&theirs.confirms)
        ));
    }
    if let Some(d) = map_difference("deliveries to", &ours.deliveries, &theirs.deliveries, gots) {
        return Some(d);
    }
    if let Some(d) = map_difference("gets by", &ours.gets, &theirs.gets, |g| {
        g.iter()
            .map(|b| b.as_deref().unwrap_or("(empty)"))
            .collect::<Vec<_>>()
            .join(" ")
    }) {
        return Some(d);
    }
    map_difference(
        "messages left in queue",
        &ours.queues,
        &theirs.queues,
        lefts,
    )
}

fn map_difference<T: PartialEq>(
    what: &str,
    ours: &BTreeMap<String, Vec<T>>,
    theirs: &BTreeMap<String, Vec<T>>,
    show: impl Fn(&[T]) -> String,
) -> Option<String> {
    let empty = Vec::new();
    let names: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
    names.into_iter().find_map(|name| {
        let a = ours.get(name).unwrap_or(&empty);
        let b = theirs.get(name).unwrap_or(&empty);
        (a != b).then(|| {
            format!(
                "{what} {name} differ:\n  Brokerlab {}\n  RabbitMQ  {}",
                show(a),
                show(b)
            )
        })
    })
}

fn confirms(c: &[Confirm]) -> String {
    c.iter()
        .map(|c| format!("{}:{}", c.body, c.confirm))
        .collect::<Vec<_>>()
        .join(" ")
}

fn gots(g: &[Got]) -> String {
    g.iter().map(got).collect::<Vec<_>>().join(" ")
}

/// `m3`, `m3(r)` when redelivered, `m3(r,2)` with a delivery count.
pub(crate) fn got(g: &Got) -> String {
    let mut marks = Vec::new();
    if g.redelivered {
        marks.push("r".to_owned());
    }
    if let Some(n) = g.delivery_count {
        marks.push(n.to_string());
    }
    if marks.is_empty() {
        g.body.clone()
    } else {
        format!("{}({})", g.body, marks.join(","))
    }
}

fn lefts(l: &[Left]) -> String {
    l.iter()
        .map(|m| {
            let mut s = got(&Got {
                body: m.body.clone(),
                redelivered: m.redelivered,
                delivery_count: m.delivery_count,
            });
            if let Some(d) = &m.death {
                s.push_str(&format!("[{} from {}]", d.reason, d.queue));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A history cut into blocks, each starting at a `step N` line (the lines before the first
/// step and after the last keep their own blocks).
fn blocks(history: &[String]) -> Vec<(Option<usize>, Vec<&str>)> {
    let mut out: Vec<(Option<usize>, Vec<&str>)> = Vec::new();
    for line in history {
        let step = line
            .strip_prefix("step ")
            .and_then(|rest| rest.split(' ').next())
            .and_then(|n| n.parse().ok());
        match (step, out.last_mut()) {
            (Some(n), _) => out.push((Some(n), vec![line.as_str()])),
            (None, Some(last)) if !line.starts_with("drain") => last.1.push(line),
            (None, _) => out.push((None, vec![line.as_str()])),
        }
    }
    out
}

/// Both histories side by side, Brokerlab on the left, each step's lines level with the
/// other side's.
pub(crate) fn side_by_side(ours: &Observed, theirs: &Observed) -> String {
    const WIDTH: usize = 58;
    let mut out = format!("{:<WIDTH$} | {}\n", "Brokerlab", "RabbitMQ");
    out.push_str(&format!("{:-<WIDTH$}-+-{:-<WIDTH$}\n", "", ""));
    let mut left = blocks(&ours.history).into_iter().peekable();
    let mut right = blocks(&theirs.history).into_iter().peekable();
    loop {
        let (a, b) = match (left.peek(), right.peek()) {
            (None, None) => break,
            (Some((x, _)), Some((y, _))) if x == y => (left.next(), right.next()),
            (Some((Some(x), _)), Some((Some(y), _))) if x < y => (left.next(), None),
            (Some(_), Some((Some(_), _))) => (None, right.next()),
            (Some(_), _) => (left.next(), None),
            (None, Some(_)) => (None, right.next()),
        };
        let a = a.map(|(_, lines)| lines).unwrap_or_default();
        let b = b.map(|(_, lines)| lines).unwrap_or_default();
        for row in 0..a.len().max(b.len()) {
            let l: String = a
                .get(row)
                .copied()
                .unwrap_or("")
                .chars()
                .take(WIDTH)
                .collect();
            let r = b.get(row).copied().unwrap_or("");
            out.push_str(&format!("{l:<WIDTH$} | {r}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivered(body: &str, redelivered: bool) -> Got {
        Got {
            body: body.to_owned(),
            redelivered,
            delivery_count: None,
        }
    }

    #[test]
    fn names_the_first_consumer_whose_deliveries_differ() {
        let mut a = Observed::default();
        let mut b = Observed::default();
        a.deliveries.insert(
            "c1".into(),
            vec![delivered("m1", false), delivered("m2", false)],
        );
        b.deliveries.insert(
            "c1".into(),
            vec![delivered("m1", false), delivered("m2", true)],
        );
        let d = first_difference(&a, &b).expect("they differ");
        assert!(d.contains("deliveries to c1"), "{d}");
        assert!(d.contains("m2(r)"), "{d}");
        b.deliveries.insert(
            "c1".into(),
            vec![delivered("m1", false), delivered("m2", false)],
        );
        assert_eq!(first_difference(&a, &b), None);
    }

    #[test]
    fn histories_line_up_step_by_step() {
        let ours = Observed {
            history: vec![
                "step 0 a".into(),
                "  x".into(),
                "  y".into(),
                "step 1 b".into(),
            ],
            ..Observed::default()
        };
        let theirs = Observed {
            history: vec!["step 0 a".into(), "step 1 b".into(), "  z".into()],
            ..Observed::default()
        };
        let text = side_by_side(&ours, &theirs);
        let rows: Vec<&str> = text.lines().skip(2).collect();
        assert_eq!(rows.len(), 5, "{text}");
        assert!(
            rows[3].starts_with("step 1 b") && rows[3].ends_with("| step 1 b"),
            "{text}"
        );
        assert!(rows[4].ends_with("|   z"), "{text}");
    }

    #[test]
    fn a_missing_consumer_is_a_difference() {
        let a = Observed::default();
        let mut b = Observed::default();
        b.deliveries
            .insert("c9".into(), vec![delivered("m1", false)]);
        assert!(first_difference(&a, &b).is_some());
    }
}
