//! [`Action`]: everything the user (or an animation frame) can ask of the playground.

use brokerlab::sim;

use super::{Edit, Entity, HandPublish};

/// Everything the user (or an animation frame) can ask of the playground.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Load a ready-made scenario by id (`a` … `f`, `comparison`, `comparison6`, …), paused at
    /// time 0.
    Load(String),
    /// Start playing.
    Play,
    /// Stop playing.
    Pause,
    /// Whether a run played through a guide step's moment pauses there.
    SetGuided(bool),
    /// Whether a finished run starts over by itself (embeds).
    SetLooping(bool),
    /// Show or hide the build tools (palette, property editor, undo and redo).
    SetBuilding(bool),
    /// An animation frame: `elapsed_ms` of wall-clock time passed (scaled by the speed).
    Tick {
        /// Wall-clock milliseconds since the previous frame.
        elapsed_ms: f64,
    },
    /// Advance to the next instant where anything happens.
    StepEvent,
    /// Advance 100 ms of logical time.
    Step100ms,
    /// Run (paused) to this logical time in ms (clamped to the scenario's end); an earlier
    /// time seeks back (the timeline).
    RunTo(u64),
    /// Go back (paused) to the previous moment where anything happened.
    StepBackEvent,
    /// Open the story ("Why?") of a message, or close it.
    ShowStory(Option<brokerlab::MessageId>),
    /// Set the playback speed (clamped to 0.1×–100×).
    SetSpeed(f64),
    /// Rebuild the simulation from the scenario, keeping the seed.
    Reset,
    /// Use another seed and reset.
    SetSeed(u64),
    /// Select something to inspect (or nothing).
    Select(Option<Entity>),
    /// Crash a consumer now.
    Crash(String),
    /// Restart a crashed consumer now.
    Restart(String),
    /// Apply a simulation action now: remove a consumer, seek, commit, publish by hand,
    /// change a producer's rate (a refused one changes nothing and shows why).
    Apply(sim::Action),
    /// Open a scenario from JSON (an imported file) at time 0; malformed JSON or an invalid
    /// scenario changes nothing and says why (with the field's path or line and column).
    ImportJson(String),
    /// Open a RabbitMQ `definitions.json` as a scenario at time 0 (see
    /// [`crate::interop::import`]); what it cannot simulate goes to `import_notes`.
    ImportRabbitMq(String),
    /// Show a message about the user's input (a form that could not be read).
    Notice(String),
    /// Publish what the publish form holds (a malformed form publishes nothing and says why).
    Publish(HandPublish),
    /// Change the topology (restarts the run at 0; refused edits change nothing and say why).
    Edit(Edit),
    /// Take back the last edit.
    Undo,
    /// Redo the last edit taken back.
    Redo,
    /// Start from an empty topology.
    NewEmpty,
    /// Connect two nodes; asks for a key first when the connection takes one.
    Connect {
        /// Where the arrow starts.
        from: Entity,
        /// Where it ends.
        to: Entity,
    },
    /// Make the next selected node the end of a connection from this one (`None`: cancel).
    ConnectFrom(Option<Entity>),
    /// Finish the pending connection with this binding or routing key.
    ConfirmConnect(String),
    /// Move a node on the canvas to `(x, y)` in drawing units.
    Move {
        /// The node.
        entity: Entity,
        /// Left.
        x: f64,
        /// Top.
        y: f64,
    },
    /// Add a member to a group, shaped like its existing members, named `<group>-<n>`.
    AddMember(String),
    /// Filter the event log by entity name (`None`: all).
    FilterEntity(Option<String>),
    /// Filter the event log by kind (`None`: all).
    FilterKind(Option<String>),
    /// Open a counterexample the search found: its scenario (the topology with the run's
    /// seed and faults), paused at the moment of the violation, its entities highlighted.
    OpenCounterexample(std::rc::Rc<sim::check::search::Found>),
    /// Stop showing the counterexample's highlights and sentence.
    CloseCounterexample,
    /// Show the other future of a fork instead (the one on show becomes the other).
    #[cfg(feature = "editor")]
    SwapFork,
    /// Close the other future of a fork (the one on show stays).
    #[cfg(feature = "editor")]
    CloseFork,
    /// Become this state, keeping the open story: the other future's drawing follows the
    /// fork it shows (its own reducer, so that selecting or moving a node or opening a story
    /// there changes only that drawing).
    #[cfg(feature = "editor")]
    Become(std::rc::Rc<super::AppState>),
}
