//! The AFL++ driver: `afl TARGET` fuzzes the target of that name ([`brokerlab_fuzz::TARGETS`])
//! in AFL++'s persistent mode. Built by `cargo xtask fuzz` with `cargo afl build --features
//! afl`; a panic aborts the process, which AFL++ records as a crash.

fn main() {
    let name = std::env::args().nth(1).unwrap_or_default();
    let Some(target) = brokerlab_fuzz::target(&name) else {
        let names: Vec<&str> = brokerlab_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "usage: afl TARGET (one of {}), under afl-fuzz",
            names.join(", ")
        );
        std::process::exit(2);
    };
    afl::fuzz(true, move |data: &[u8]| target(data));
}
