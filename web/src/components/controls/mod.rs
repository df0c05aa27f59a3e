//! Controlling time: play, pause, step, speed, reset, seed, run to a moment, and the
//! timeline that scrubs the whole run.

mod playback_buttons;
mod run_to_form;
mod seed_input;
mod speed_select;
mod timeline;

pub use playback_buttons::PlaybackButtons;
pub use run_to_form::RunToForm;
pub use seed_input::SeedInput;
pub use speed_select::SpeedSelect;
pub use timeline::TimelineScrubber;
