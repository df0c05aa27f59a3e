//! `cargo run -p brokerlab-fuzz --bin replay -- TARGET FILE...` runs a fuzz target over the
//! given inputs (an AFL++ finding, say) outside AFL++, so its panic and backtrace show.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((name, files)) = args.split_first() else {
        eprintln!("usage: replay TARGET FILE...");
        std::process::exit(2);
    };
    let Some(target) = brokerlab_fuzz::target(name) else {
        let names: Vec<&str> = brokerlab_fuzz::TARGETS.iter().map(|(n, _)| *n).collect();
        eprintln!("unknown target `{name}`: one of {}", names.join(", "));
        std::process::exit(2);
    };
    for file in files {
        let data = std::fs::read(file).unwrap_or_else(|e| {
            eprintln!("cannot read {file}: {e}");
            std::process::exit(2);
        });
        println!("{file}: {} bytes", data.len());
        target(&data);
    }
    println!("no panic");
}
