//! `event_table!`, the macro that turns the table of events (`table.rs`) into the types and
//! impls that restate it, and `event_line!`, its helper for one `Display` line.

/// Defines, from one table of entries, the `Event` enum, the `EventKind` enum (one variant per
/// event, with the entry's number as its discriminant), `Event::kind`, `Display for Event`
/// and the trace encoding (`TraceWords for Event`: the kind number, then every field in
/// declaration order through its own [`TraceWords`](super::TraceWords)). The grammar is in the
/// [module docs](super); the one invocation is `table.rs`.
macro_rules! event_table {
    (
        $(#[$event_meta:meta])*
        $event_vis:vis enum $Event:ident;

        $(#[$kind_meta:meta])*
        $kind_vis:vis enum $Kind:ident;

        $(
            $(#[$meta:meta])*
            $Name:ident = $tag:literal {
                $(
                    $(#[$field_meta:meta])*
                    $field:ident : $ty:ty
                ),* $(,)?
            }
            display($($line:tt)*);
        )*
    ) => {
        $(#[$event_meta])*
        $event_vis enum $Event {
            $(
                $(#[$meta])*
                $Name {
                    $(
                        $(#[$field_meta])*
                        $field: $ty,
                    )*
                },
            )*
        }

        $(#[$kind_meta])*
        $kind_vis enum $Kind {
            $(
                #[doc = concat!("[`", stringify!($Event), "::", stringify!($Name), "`].")]
                $Name = $tag,
            )*
        }

        impl $Event {
            /// This event's kind.
            #[must_use]
            #[inline]
            pub fn kind(&self) -> $Kind {
                match self {
                    $( $Event::$Name { .. } => $Kind::$Name, )*
                }
            }
        }

        impl ::core::fmt::Display for $Event {
            // A line need not show every field (`acked` leaves out the queue).
            #[allow(unused_variables)]
            fn fmt(&self, formatter: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                match self {
                    $(
                        $Event::$Name { $($field),* } => event_line!(formatter, $($line)*),
                    )*
                }
            }
        }

        impl $crate::event::trace_words::TraceWords for $Event {
            fn trace_words<W: $crate::event::trace_words::WordSink + ?Sized>(&self, out: &mut W) {
                out.word(u64::from(self.kind() as u8));
                match self {
                    $(
                        $Event::$Name { $($field),* } => {
                            $( $crate::event::trace_words::TraceWords::trace_words($field, out); )*
                        }
                    )*
                }
            }
        }

        // Every kind must fit in an `EventFilter`'s 64 bits.
        const _: () = assert!($( ($Kind::$Name as u8) < 64 && )* true);
    };
}

/// One event's `Display` line: a format string over the fields (`"purged {queue} n={count}"`),
/// or `|f| { … }`, a block that writes to the formatter `f` and returns `fmt::Result`.
macro_rules! event_line {
    ($formatter:ident, $format:literal) => {
        write!($formatter, $format)
    };
    ($formatter:ident, |$f:ident| $body:block) => {{
        let $f: &mut ::core::fmt::Formatter<'_> = $formatter;
        $body
    }};
}
