//! The typed content model every stage reads: a [`guide::Guide`] and its parts, and the
//! [`site::Site`] of prepared guides and tags.

pub mod guide;
pub mod site;
