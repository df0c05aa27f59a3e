//! The `rabbitmq_import` target: a RabbitMQ `definitions.json`, as the playground's import
//! reads it.
//!
//! Checked: [`import`] returns; the scenario it makes is valid (it says so) and passes the
//! same checks as an imported scenario file ([`crate::scenario_json()`]): written back and read
//! equal, simulated for a few steps.

use brokerlab_web::interop::import::import;

/// Imports `data` as RabbitMQ definitions (see the module docs).
pub fn rabbitmq_import(data: &[u8]) {
    let Some(json) = crate::text(data) else {
        return;
    };
    let Ok(imported) = import(json) else {
        return;
    };
    if let Err(e) = imported.scenario.validate() {
        panic!("an imported scenario is invalid: {e}");
    }
    crate::scenario_json::check(&imported.scenario);
}
