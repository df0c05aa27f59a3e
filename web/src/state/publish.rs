//! Publishing by hand: the form's fields turned into a simulation action, headers parsed
//! from `name=value` pairs.

use brokerlab::sim;

use super::Entity;

/// What the publish form holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HandPublish {
    /// A queue, an exchange or a stream.
    pub target: Option<Entity>,
    /// The routing key (exchanges) or record key (streams); unused for queues.
    pub key: String,
    /// The payload, as text (`{n}`, `{key}` and `{t}` are filled in like a producer's).
    pub payload: String,
    /// Headers as `name=value` pairs separated by commas or new lines.
    pub headers: String,
}

/// Parses `name=value` pairs separated by commas or new lines (blank pieces are skipped).
///
/// # Errors
/// A piece without `=` or with an empty name, in words.
pub fn parse_headers(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split([',', '\n'])
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(|piece| match piece.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => Err(format!("header \u{201c}{piece}\u{201d} is not name=value")),
        })
        .collect()
}

impl HandPublish {
    /// The simulation action, or why the form cannot be sent.
    ///
    /// # Errors
    /// No target, a target that takes no messages, or malformed headers.
    pub fn to_action(&self) -> Result<sim::Action, String> {
        let key = self.key.trim().to_owned();
        let (target, key) = match &self.target {
            Some(Entity::Queue(q)) => (sim::TargetSpec::Queue(q.clone()), None),
            Some(Entity::Exchange(x)) => (
                sim::TargetSpec::Exchange {
                    exchange: x.clone(),
                    routing_key: key,
                },
                None,
            ),
            Some(Entity::Stream(s)) => (
                sim::TargetSpec::Stream(s.clone()),
                (!key.is_empty()).then_some(key),
            ),
            Some(other) => {
                let (kind, name) = other.parts();
                return Err(format!("a {kind} ({name}) takes no messages"));
            }
            None => return Err("choose where to publish".to_owned()),
        };
        Ok(sim::Action::Publish {
            target,
            key,
            payload: self.payload.clone(),
            count: 1,
            headers: parse_headers(&self.headers)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_name_value_pairs() {
        assert_eq!(
            parse_headers(" a = 1, b=two\nc= ,"),
            Ok(vec![
                ("a".into(), "1".into()),
                ("b".into(), "two".into()),
                ("c".into(), String::new())
            ])
        );
        assert_eq!(parse_headers(""), Ok(vec![]));
        assert!(parse_headers("a=1, oops").is_err());
        assert!(parse_headers("=1").is_err());
    }

    #[test]
    fn the_key_is_a_routing_key_for_exchanges_and_a_record_key_for_streams() {
        let mut form = HandPublish {
            target: Some(Entity::Exchange("logs".into())),
            key: "app.error".into(),
            payload: "disk full".into(),
            headers: String::new(),
        };
        assert!(matches!(
            form.to_action(),
            Ok(sim::Action::Publish { target: sim::TargetSpec::Exchange { routing_key, .. }, key: None, .. })
                if routing_key == "app.error"
        ));
        form.target = Some(Entity::Stream("orders".into()));
        assert!(matches!(
            form.to_action(),
            Ok(sim::Action::Publish { key: Some(k), .. }) if k == "app.error"
        ));
        form.target = Some(Entity::Consumer("w".into()));
        assert!(form.to_action().is_err());
        form.target = None;
        assert!(form.to_action().is_err());
    }
}
