//! Stage 3, check: what must hold across the whole site before anything is written: every
//! internal link and anchor resolves ([`links`]), output names work on every system
//! ([`portable_names`]), and the output folder is not one of the site's sources
//! ([`output_folder`]), series and `next:` name guides that exist ([`series`]); guides past
//! their review date are reported ([`overdue_reviews`]).

pub mod links;
pub mod output_folder;
pub mod overdue_reviews;
pub mod portable_names;
pub mod series;
