//! Stage 2, prepare: each guide's markdown rendered ([`markdown`], with [`unique_ids`]) and its
//! widgets turned into view data ([`widgets`]), making a
//! [`crate::model::prepared_guide::PreparedGuide`].

pub mod markdown;
pub mod unique_ids;
pub mod widgets;
