//! Stage 2, prepare: each guide's ids filled in and checked ([`validate`]), its markdown
//! rendered ([`markdown`], with [`unique_ids`]) and its widgets turned into view data
//! ([`widgets`]).

pub mod markdown;
pub mod unique_ids;
pub mod validate;
pub mod widgets;
