//! The shared state and its text form: `v1.` then base64url of the raw-deflated JSON.
//! Decoding bounds every step (text length, inflated size, the scenario's own validation),
//! so a malformed or hostile link is an error in words, never a panic or a hang.

use brokerlab::sim::{self, Scenario, ScriptStep};
use serde::{Deserialize, Serialize};

use super::base64;

/// What every link starts with: the format version.
pub const LINK_PREFIX: &str = "v1.";
/// The longest link text read (after `#`).
pub const MAX_LINK_BYTES: usize = 256 * 1024;

/// Everything needed to reopen the playground at the same moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shared {
    /// The ready-made scenario it started from (`custom` for the user's own).
    pub id: String,
    /// The scenario, seed included.
    pub scenario: Scenario,
    /// The actions the user took, with their times.
    #[serde(default)]
    pub actions: Vec<ScriptStep>,
    /// The time shown, in ms.
    pub t_ms: u64,
    /// Playback speed.
    #[serde(default = "one")]
    pub speed: f64,
    /// The selected entity, as `kind:name`.
    #[serde(default)]
    pub selected: Option<String>,
    /// Nodes the user moved: `kind:name`, left, top (drawing units).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub positions: Vec<(String, f64, f64)>,
    /// The other future, when a change made in the past forked the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fork: Option<SharedFork>,
}

/// The other future of a forked run: the same scenario with its own actions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedFork {
    /// Its scenario, seed included, when it differs from the one on show (an edit made in
    /// the past forks from the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scenario: Option<Scenario>,
    /// Its actions, with their times.
    pub actions: Vec<ScriptStep>,
    /// When the futures part.
    pub at_ms: u64,
    /// The future on show, in words.
    pub this_label: String,
    /// The other future, in words.
    pub other_label: String,
}

fn one() -> f64 {
    1.0
}

/// The link text for `shared` (without `#`).
#[must_use]
pub fn encode(shared: &Shared) -> String {
    let json = serde_json::to_vec(shared).unwrap_or_default();
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 9);
    format!("{LINK_PREFIX}{}", base64::encode(&packed))
}

/// Reads link text (with or without a leading `#`).
///
/// # Errors
/// In words: an unknown version, text that is not a link, a payload that does not inflate
/// within [`sim::scenario::MAX_JSON_BYTES`], JSON that is not a shared state (with line and
/// column), or a scenario that fails validation (with the field's path).
pub fn decode(text: &str) -> Result<Shared, String> {
    let text = text.strip_prefix('#').unwrap_or(text).trim();
    if text.len() > MAX_LINK_BYTES {
        return Err(format!(
            "the link is {} KB long; at most {} KB can be read",
            text.len() / 1024,
            MAX_LINK_BYTES / 1024
        ));
    }
    let Some(body) = text.strip_prefix(LINK_PREFIX) else {
        return Err(match text.split_once('.') {
            Some((v, _)) if v.starts_with('v') && v.len() < 8 => {
                format!("the link is format {v}; this playground reads v1")
            }
            _ => "this is not a Brokerlab link".to_owned(),
        });
    };
    let packed = base64::decode(body).ok_or("the link is damaged (not base64url)")?;
    let json =
        miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, sim::scenario::MAX_JSON_BYTES)
            .map_err(|_| "the link is damaged or too large to unpack".to_owned())?;
    // `from_str`, as `Scenario::from_json` reads: one instantiation of the scenario's
    // deserializer in the bundle instead of a second one for byte input.
    let json = core::str::from_utf8(&json)
        .map_err(|_| "the link does not hold a playground state: not UTF-8 text".to_owned())?;
    let shared: Shared = serde_json::from_str(json)
        .map_err(|e| format!("the link does not hold a playground state: {e}"))?;
    shared
        .scenario
        .validate()
        .map_err(|e| format!("the link's scenario is invalid: {e}"))?;
    if let Some(other) = shared.fork.as_ref().and_then(|f| f.scenario.as_ref()) {
        other
            .validate()
            .map_err(|e| format!("the link's other future has an invalid scenario: {e}"))?;
    }
    if !shared.speed.is_finite() {
        return Err("the link's speed is not a number".to_owned());
    }
    Ok(shared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use brokerlab::sim::ready;

    fn sample() -> Shared {
        Shared {
            id: "e".into(),
            scenario: ready::load("e").expect("ready-made"),
            actions: vec![ScriptStep {
                at_ms: 3_000,
                action: sim::Action::Crash {
                    consumer: "analytics-1".into(),
                },
            }],
            t_ms: 4_200,
            speed: 2.0,
            selected: Some("group:analytics".into()),
            positions: vec![("producer:checkout".into(), 30.0, 250.5)],
            fork: Some(SharedFork {
                scenario: None,
                actions: Vec::new(),
                at_ms: 3_000,
                this_label: "analytics-1 crashed by hand at 3.0 s".into(),
                other_label: "as it was".into(),
            }),
        }
    }

    #[test]
    fn round_trips_and_stays_short() {
        let shared = sample();
        let text = encode(&shared);
        assert!(text.starts_with(LINK_PREFIX));
        assert!(text.len() < 2_500, "{} bytes", text.len());
        assert_eq!(decode(&format!("#{text}")), Ok(shared));
    }

    #[test]
    fn malformed_and_hostile_links_are_errors_in_words() {
        let good = encode(&sample());
        let cases = [
            ("", "not a Brokerlab link"),
            ("hello", "not a Brokerlab link"),
            ("v2.AAAA", "format v2"),
            ("v1.!!!!", "not base64url"),
            ("v1.AAAA", "damaged"),
            (&good[..good.len() / 2], "damaged"),
        ];
        for (text, says) in cases {
            let err = decode(text).expect_err(text);
            assert!(err.contains(says), "{text:?}: {err}");
        }
        // A bomb: a megabyte and more of zeros packs small but must not be unpacked.
        let bomb = miniz_oxide::deflate::compress_to_vec(&vec![b' '; 2 << 20], 9);
        let err = decode(&format!("v1.{}", base64::encode(&bomb))).expect_err("bomb");
        assert!(err.contains("too large"), "{err}");
        // Valid JSON, invalid scenario: the path of the bad field.
        let mut bad = sample();
        bad.scenario.topology.queues[..]
            .iter_mut()
            .for_each(|q| q.name.clear());
        bad.scenario.producers[0].rate_per_sec = u32::MAX;
        let err = decode(&encode(&bad)).expect_err("invalid scenario");
        assert!(err.contains("producers[0].rate_per_sec"), "{err}");
        let json = br#"{"id":"a"}"#;
        let packed = miniz_oxide::deflate::compress_to_vec(json, 9);
        let err = decode(&format!("v1.{}", base64::encode(&packed))).expect_err("missing");
        assert!(err.contains("missing field"), "{err}");
        assert!(
            decode(&"v1.A".repeat(100_000))
                .expect_err("long")
                .contains("KB")
        );
    }
}
