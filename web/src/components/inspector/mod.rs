//! What the user looks at closely: the selected entity, its chart, the event log.

mod entity_details;
mod event_log;
mod metric_chart;

pub use entity_details::EntityDetails;
pub use event_log::EventLog;
pub use metric_chart::MetricChart;
