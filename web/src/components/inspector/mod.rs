//! What the user looks at closely: the selected entity, its chart, the event log, and the
//! story of one message.

mod entity_details;
mod event_log;
mod metric_chart;
#[cfg(feature = "editor")]
mod story_panel;

pub use entity_details::EntityDetails;
pub use event_log::EventLog;
pub use metric_chart::MetricChart;
#[cfg(feature = "editor")]
pub use story_panel::StoryPanel;
