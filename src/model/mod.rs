//! The typed data every stage passes along: the site's [`config::SiteConfig`], a
//! [`guide::Guide`] as read, its rendered [`body`], the [`views`] of its widgets, the
//! [`prepared_guide::PreparedGuide`] that holds them, and the [`site::Site`] of all prepared
//! guides and their tags.

pub mod address;
pub mod body;
pub mod config;
pub mod guide;
pub mod notice;
pub mod prepared_guide;
pub mod review;
pub mod site;
pub mod source;
pub mod total_time;
pub mod utc_offset;
pub mod views;
