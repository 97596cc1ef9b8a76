//! Stage 2, prepare: each guide's markdown rendered ([`markdown`], with [`unique_ids`]) and its
//! widgets turned into view data ([`widgets`]), its citations linked to its sources
//! ([`citations`]), making a
//! [`crate::model::prepared_guide::PreparedGuide`].

pub mod citations;
pub mod markdown;
pub mod unique_ids;
pub mod widgets;
