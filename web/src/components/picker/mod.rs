//! Choosing a ready-made scenario and reading its plain-words introduction.

mod scenario_guide;
mod scenario_picker;

pub use scenario_guide::ScenarioGuide;
pub use scenario_picker::ScenarioPicker;
