//! Cases with a restart plan, run over `FileStorage` on the crash-testing file system
//! (`core/tests/support/crash_fs.rs`): small segments and batches, every flush synced; a
//! restart cuts every file's unsynced tail at a random byte (sometimes appending garbage),
//! opens the storage on what is left, recovers a broker from it and hands it to the
//! simulation.

use brokerlab::sim::rng::Rng;
use brokerlab::sim::swarm::{Case, RunReport, run_audited};
use brokerlab::sim::{SimOptions, Simulation};
use brokerlab::storage::{FileOptions, FileStorage, SyncPolicy};
use brokerlab::{Broker, Limits};

use crate::crash_fs::CrashFs;

const ROOT: &str = "/broker";

fn options() -> FileOptions {
    FileOptions {
        segment_bytes: 2048,
        batch_bytes: 256,
        index_interval: 128,
        sync: SyncPolicy::EveryBatch,
    }
}

/// What is left of `fs` after a crash: each file its synced bytes and a random part of the
/// rest, a quarter of them with garbage after it. Each file's cut is drawn from `base` and
/// its path alone, so that removing an entity (shrinking) leaves the other files' cuts alone.
fn crash(fs: &CrashFs, base: u64) -> CrashFs {
    fs.crash(|path, f| {
        let name = path.to_string_lossy();
        let stream = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut rng = Rng::fork(base, stream);
        let unsynced = (f.data.len() - f.synced) as u64;
        let keep = f.synced + rng.below(unsynced + 1) as usize;
        let mut data = f.data[..keep].to_vec();
        if unsynced > 0 && rng.below(4) == 0 {
            data.extend_from_slice(b"\x07garbage after the crash");
        }
        data
    })
}

/// Runs `case` over a crash-testing `FileStorage`, restarting as its plan says.
pub(crate) fn run_durable(case: &Case) -> RunReport {
    let fs = CrashFs::new();
    let opened = FileStorage::open_in(fs.clone(), ROOT, options());
    let storage = match opened {
        Ok((storage, _)) => storage,
        Err(e) => return failed(&format!("open: {e}")),
    };
    let mut sim = match Simulation::with_broker(
        &case.scenario,
        SimOptions::default(),
        Broker::new(storage),
    ) {
        Ok(sim) => sim,
        Err(e) => return brokerlab::sim::swarm::run::refused(&e),
    };
    let mut rng = Rng::fork(case.seed, 0x0C2A_54ED);
    let mut current = fs;
    let mut restart = |sim: &mut Simulation<FileStorage<CrashFs>>| -> Result<(), String> {
        let crashed = crash(&current, rng.next_u64());
        let (storage, _) =
            FileStorage::open_in(crashed.clone(), ROOT, options()).map_err(|e| e.to_string())?;
        let (broker, _) = Broker::recover(storage, Limits::default()).map_err(|e| e.to_string())?;
        // The old broker's last writes go to the file system as it was before the crash,
        // which nothing reads any more.
        drop(sim.replace_broker(broker));
        current = crashed;
        Ok(())
    };
    run_audited(&mut sim, &case.scenario, &case.plan, &mut restart)
}

fn failed(why: &str) -> RunReport {
    RunReport {
        trace_hash: None,
        stats: Default::default(),
        published: 0,
        coverage: Default::default(),
        violation: Some(Box::new(brokerlab::sim::swarm::Violation::new(
            brokerlab::sim::swarm::Rule::Harness,
            0,
            why,
        ))),
    }
}
