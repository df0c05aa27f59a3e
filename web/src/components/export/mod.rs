//! Taking a topology to a real broker: RabbitMQ definitions, Kafka commands and AWS CLI
//! commands for the current scenario, and RabbitMQ definitions imported as a scenario.

mod export_panel;

pub use export_panel::ExportPanel;
