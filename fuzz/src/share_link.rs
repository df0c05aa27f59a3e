//! The `share_link` target: the playground's link decoder.
//!
//! The first byte chooses what the rest is, so that the fuzzer reaches both the outer layers
//! and what lies behind them:
//! - even: link text as a browser hands it over (`#v1.…`, any bytes, read as UTF-8 lossily);
//! - odd: the JSON inside a link, which the target deflates and encodes as a link itself, so
//!   that mutations reach the state's deserializer and the scenario's validation instead of
//!   breaking the compression.
//!
//! Checked: decoding returns (an error in words or a state), and a state it returns is
//! written back as a link that decodes to the same state ("every link the playground writes,
//! it reads").

use brokerlab_web::share::{self, LINK_PREFIX};

/// Decodes `data` as a link (see the module docs for the layout).
pub fn share_link(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let link = if mode % 2 == 0 {
        String::from_utf8_lossy(rest).into_owned()
    } else {
        link_of_json(rest)
    };
    let Ok(shared) = share::decode(&link) else {
        return;
    };
    let again = share::encode(&shared);
    match share::decode(&again) {
        Ok(back) => assert!(
            back == shared,
            "a decoded link, written again, reads back different"
        ),
        Err(why) => panic!("a decoded link, written again, does not read: {why}"),
    }
}

/// The link carrying `json`, as [`share::encode`] packs it.
#[must_use]
pub fn link_of_json(json: &[u8]) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec(json, 6);
    format!("{LINK_PREFIX}{}", base64url(&packed))
}

/// Base64url without padding, the link's alphabet.
fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_mode_builds_links_the_decoder_reads() {
        let shared = share::Shared {
            id: "a".into(),
            scenario: brokerlab::sim::ready::load("a").expect("ready-made"),
            actions: Vec::new(),
            t_ms: 1_000,
            speed: 1.0,
            selected: None,
            positions: Vec::new(),
            fork: None,
        };
        let json = serde_json::to_vec(&shared).expect("serializes");
        assert_eq!(share::decode(&link_of_json(&json)), Ok(shared));
        let not_a_state = link_of_json(br#"{"id":"a","scenario":null,"t_ms":0}"#);
        assert!(share::decode(&not_a_state).is_err());
    }
}
